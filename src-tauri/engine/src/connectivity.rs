//! The connectivity guard: the network is online when any anchor accepts a TCP connection.

use std::time::Duration;

use futures_util::future::select_ok;
use outage_core::model::Network;
use tokio::net::TcpStream;

/// Tries all anchors at once; the first to accept wins. Each attempt has `timeout`.
pub async fn probe(anchors: &[String], timeout: Duration) -> Network {
    let attempts = anchors.iter().map(|anchor| {
        Box::pin(async move {
            match tokio::time::timeout(timeout, TcpStream::connect(anchor.as_str())).await {
                Ok(Ok(_)) => Ok(()),
                _ => Err(()),
            }
        })
    });
    let attempts: Vec<_> = attempts.collect();
    if attempts.is_empty() {
        return Network::Online;
    }
    match select_ok(attempts).await {
        Ok(_) => Network::Online,
        Err(()) => Network::Offline,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn any_answering_anchor_means_online() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let open = listener.local_addr().unwrap().to_string();
        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().to_string()
        };
        let t = Duration::from_secs(2);
        assert_eq!(probe(&[closed.clone(), open], t).await, Network::Online);
        assert_eq!(probe(&[closed], t).await, Network::Offline);
    }
}
