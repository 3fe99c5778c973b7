//! Changes a mail account the way the window does (`outage_engine::accounts`, which the
//! window's `add_mail`, `edit_mail`, `remove_mail` and `remove_provider` commands call): the resident's control
//! socket for the config, the keychain of this process's session for the password. The
//! integration tests run it with a private keychain, as they cannot run the window itself.
//!
//! usage: mail-account SOCKET add MAIL_JSON
//!        mail-account SOCKET edit CHECK_ID MAIL_JSON
//!        mail-account SOCKET remove PROVIDER_ID CHECK_ID
//!        mail-account SOCKET remove-provider PROVIDER_ID
//! The password, if any, is the first line of standard input. Exit 1 with the error on
//! stderr when the change was refused.

use std::process::ExitCode;

use outage_core::protocol::NewMail;
use outage_engine::accounts;
use outage_engine::control::Client;
use outage_engine::credentials::Secret;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).expect("stdin");
    let password = Some(Secret::new(line.trim_end_matches(['\r', '\n']).to_owned()));
    let mail = |json: &str| serde_json::from_str::<NewMail>(json).expect("a NewMail as JSON");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let result = runtime.block_on(async {
        let mut client = Client::connect(std::path::Path::new(&args[0])).await?;
        match args[1].as_str() {
            "add" => accounts::add(&mut client, mail(&args[2]), password).await,
            "edit" => accounts::edit(&mut client, args[2].clone(), mail(&args[3]), password).await,
            "remove" => accounts::remove(&mut client, args[2].clone(), args[3].clone()).await,
            "remove-provider" => accounts::remove_provider(&mut client, args[2].clone(), false).await,
            other => panic!("unknown action {other}"),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}
