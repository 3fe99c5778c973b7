#!/usr/bin/env bash
# Real Postfix and Dovecot on loopback for the mail-probe tests (shared/research/mail.md §4).
#
#   mail-servers.sh start DIR [--until-exit PID]   configure and start both in DIR, wait until ready
#   mail-servers.sh stop DIR                       stop both (idempotent)
#
# Everything lives in DIR: configs, a test CA and leaf certificate, spools, Maildirs, logs,
# and the files the tests read: `env` (ports, addresses, user) and `password` (mode 600; a
# fresh random one per start, so a test can search every output for it without false hits).
# With --until-exit PID a watchdog stops the servers and removes DIR once PID has exited, so a
# test run that is killed never leaves them (or their files) behind. Needs root (Postfix and Dovecot drop to their own users)
# and the Debian packages postfix, dovecot-imapd, dovecot-pop3d, dovecot-lmtpd, dovecot-sieve, openssl
# (`cargo xtask setup` installs them). Listens only on 127.0.0.1-127.0.0.3, ports >= 11000
# (MAIL_PORT_BASE, default 11000, moves them all).
#
# Addresses: the servers listen on 127.0.0.2, so a client on this machine connects from
# 127.0.0.1 and Dovecot does not treat it as "secured" (remote IP == local IP would allow
# plaintext login without TLS, hiding what a real remote client sees). 127.0.0.3 serves the
# same Dovecot without TLS and a Postfix listener without STARTTLS: the downgrade tests.
set -euo pipefail

usage() { echo "usage: $0 start DIR [--until-exit PID] | stop DIR" >&2; exit 2; }
[[ $# -ge 2 ]] || usage
cmd=$1
dir=$(realpath -m "$2")
shift 2

base=${MAIL_PORT_BASE:-11000}
host=127.0.0.2
plain_host=127.0.0.3
imap=$((base + 143)) imaps=$((base + 993)) pop3=$((base + 110)) pop3s=$((base + 995))
smtp=$((base + 25)) submission=$((base + 587)) submissions=$((base + 465))
lmtp=$((base + 24)) auth=$((base + 26))
user=probe@example.test

log() { echo "mail-servers: $*" >&2; }

stop() {
    if [[ -f $dir/postfix/main.cf ]]; then
        postfix -c "$dir/postfix" stop >/dev/null 2>&1 || true
    fi
    if [[ -f $dir/run/dovecot/master.pid ]]; then
        local pid
        pid=$(cat "$dir/run/dovecot/master.pid")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    if [[ -f $dir/watchdog.pid ]]; then
        local w
        w=$(cat "$dir/watchdog.pid")
        rm -f "$dir/watchdog.pid"
        [[ $w != "$$" && $w != "${BASHPID:-}" ]] && kill "$w" 2>/dev/null || true
    fi
}

certificates() {
    local t=$dir/tls
    mkdir -p "$t"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$t/ca-key.pem" -out "$t/ca.pem" -days 3650 \
        -subj "/CN=Outage Notifier Test CA" -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout "$t/key.pem" -out "$t/leaf.csr" -subj "/CN=mail.example.test" 2>/dev/null
    cat >"$t/leaf.ext" <<EOF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:mail.example.test,DNS:localhost,IP:127.0.0.1,IP:$host,IP:$plain_host
EOF
    # 30 days: the tests expect "certificate days left" to be 29 or 30.
    openssl x509 -req -in "$t/leaf.csr" -CA "$t/ca.pem" -CAkey "$t/ca-key.pem" -CAcreateserial -days 30 \
        -extfile "$t/leaf.ext" -out "$t/cert.pem" 2>/dev/null
    cat "$t/cert.pem" "$t/ca.pem" >"$t/fullchain.pem"
    chmod 644 "$t"/*.pem
    chmod 600 "$t/key.pem" "$t/ca-key.pem"
}

dovecot_config() {
    mkdir -p "$dir/run/dovecot" "$dir/state/dovecot" "$dir/mail"
    chown vmail:vmail "$dir/mail"
    echo "$user:{PLAIN}$password" >"$dir/users.passwd"
    chmod 640 "$dir/users.passwd"
    chgrp dovecot "$dir/users.passwd"
    cat >"$dir/dovecot.conf" <<EOF
base_dir = $dir/run/dovecot
state_dir = $dir/state/dovecot
instance_name = dovecot-outage-tests-$base
protocols = imap pop3 lmtp
listen = $host
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
auth_verbose = yes
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 100
ssl = yes
ssl_cert = <$dir/tls/fullchain.pem
ssl_key = <$dir/tls/key.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login
# Many probes at once (the benchmark): one login process serves many clients.
service imap-login {
  service_count = 0
  process_min_avail = 1
  inet_listener imap {
    address = $host $plain_host
    port = $imap
  }
  inet_listener imaps {
    address = $host
    port = $imaps
    ssl = yes
  }
}
service pop3-login {
  service_count = 0
  process_min_avail = 1
  inet_listener pop3 {
    address = $host $plain_host
    port = $pop3
  }
  inet_listener pop3s {
    address = $host
    port = $pop3s
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $lmtp
  }
}
service auth {
  inet_listener auth-postfix {
    address = 127.0.0.1
    port = $auth
  }
}
protocol lmtp {
  auth_username_format = %u
  mail_plugins = \$mail_plugins sieve
}
# The round-trip tests: mail to probe+spam@ is filed into a spam folder by a Sieve rule
# (Pigeonhole), one the probe can only find by its SPECIAL-USE flag.
recipient_delimiter = +
namespace inbox {
  inbox = yes
  mailbox Werbung {
    special_use = \\Junk
  }
}
plugin {
  sieve_before = $dir/sieve/spam.sieve
}
# Every test logs in from 127.0.0.1, and some with a wrong password on purpose: Dovecot's
# penalty for an address with failed logins (up to 15 s before each later one) would let
# one test's refused login time out another test's correct one. The 2 s delay of a failed
# login itself stays.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
# The benchmark logs the one test user in from one address hundreds of times at once.
protocol imap {
  mail_max_userip_connections = 1000
}
protocol pop3 {
  mail_max_userip_connections = 1000
}
# The downgrade address: the same service without TLS, so STARTTLS is not offered.
local $plain_host {
  ssl = no
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/users.passwd
}
userdb {
  driver = static
  args = uid=vmail gid=vmail home=$dir/mail/%d/%n
}
mail_location = maildir:~/Maildir
EOF
    mkdir -p "$dir/sieve"
    cat >"$dir/sieve/spam.sieve" <<'SIEVE'
require ["fileinto", "envelope", "subaddress", "mailbox"];
if envelope :detail "to" "spam" {
  fileinto :create "Werbung";
  stop;
}
SIEVE
    sievec -c "$dir/dovecot.conf" "$dir/sieve/spam.sieve"
    chmod -R a+rX "$dir/sieve"
    dovecot -n -c "$dir/dovecot.conf" >/dev/null
}

postfix_config() {
    local p=$dir/postfix
    mkdir -p "$p" "$dir/spool" "$dir/pfdata"
    chown postfix "$dir/pfdata"
    cat >"$p/main.cf" <<EOF
compatibility_level = 3.6
config_directory = $p
queue_directory = $dir/spool
data_directory = $dir/pfdata
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.example.test
mydomain = example.test
inet_interfaces = 127.0.0.1
# Not on an interface (Linux routes all of 127/8 to lo), so Postfix must be told they are ours.
proxy_interfaces = $host, $plain_host
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
mydestination =
alias_maps =
alias_database =
virtual_mailbox_domains = example.test
virtual_transport = lmtp:inet:127.0.0.1:$lmtp
maillog_file = $dir/postfix.log
maillog_file_prefixes = $dir
smtp_dns_support_level = disabled
biff = no
smtputf8_enable = no
smtpd_tls_cert_file = $dir/tls/fullchain.pem
smtpd_tls_key_file = $dir/tls/key.pem
smtpd_tls_security_level = may
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:$auth
smtpd_sasl_auth_enable = no
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
# The round-trip tests: mail to probe+hold…@ waits in the hold queue until a test releases it
# (a provider's queue that holds mail); mail to refuse@ is refused with 554 (a rejected send).
smtpd_recipient_restrictions = check_recipient_access regexp:$p/recipients.regexp
# A wrong password in the tests must answer at once, not after Postfix's error sleep.
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 100
smtpd_hard_error_limit = 100
EOF
    cat >"$p/recipients.regexp" <<'REGEXP'
/^probe\+hold[^@]*@/ HOLD held for the round-trip test
/^refuse@/ REJECT refused for the round-trip test
REGEXP
    local sasl="-o smtpd_sasl_auth_enable=yes -o smtpd_client_restrictions=permit_sasl_authenticated,reject -o smtpd_relay_restrictions=permit_sasl_authenticated,reject"
    cat >"$p/master.cf" <<EOF
$host:$smtp inet n - n - - smtpd
$host:$submission inet n - n - - smtpd
  -o syslog_name=postfix/submission -o smtpd_tls_security_level=encrypt -o smtpd_tls_auth_only=yes $sasl
$host:$submissions inet n - n - - smtpd
  -o syslog_name=postfix/submissions -o smtpd_tls_wrappermode=yes $sasl
$plain_host:$submission inet n - n - - smtpd
  -o syslog_name=postfix/notls -o smtpd_tls_security_level=none $sasl
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
    postfix -c "$p" check
}

# Waits until a server on host:port sends a first line matching a pattern.
wait_banner() {
    local h=$1 port=$2 pattern=$3 line=""
    for _ in $(seq 100); do
        line=$(timeout 2 bash -c "exec 3<>/dev/tcp/$h/$port && head -n1 <&3" 2>/dev/null || true)
        if [[ $line =~ $pattern ]]; then return 0; fi
        sleep 0.1
    done
    log "no ready banner on $h:$port (last: ${line:-nothing}); see $dir/*.log"
    return 1
}

start() {
    local until_exit=""
    if [[ ${1:-} == --until-exit ]]; then until_exit=${2:?PID}; fi
    [[ $(id -u) == 0 ]] || { log "needs root (Postfix and Dovecot switch users)"; exit 1; }
    for tool in postfix dovecot openssl sievec; do
        command -v "$tool" >/dev/null || { log "$tool is missing: run cargo xtask setup"; exit 1; }
    done
    getent passwd vmail >/dev/null || useradd --system --no-create-home --shell /usr/sbin/nologin vmail
    stop
    mkdir -p "$dir"
    chmod 755 "$dir"
    password="pw-$(openssl rand -hex 12)"
    umask 077
    printf '%s' "$password" >"$dir/password"
    umask 022
    certificates
    dovecot_config
    postfix_config
    # The daemons must not keep our stdout/stderr: a caller reading them to the end (a test's
    # Command::output) would wait until the servers stop.
    dovecot -c "$dir/dovecot.conf" </dev/null >>"$dir/dovecot.stderr" 2>&1 ||
        { log "dovecot did not start; see $dir/dovecot.stderr"; exit 1; }
    postfix -c "$dir/postfix" start </dev/null >>"$dir/postfix.stderr" 2>&1 ||
        { log "postfix did not start; see $dir/postfix.stderr and $dir/postfix.log"; exit 1; }
    cat >"$dir/env" <<EOF
MAIL_HOST=$host
MAIL_PLAIN_HOST=$plain_host
MAIL_USER=$user
IMAP_PORT=$imap
IMAPS_PORT=$imaps
POP3_PORT=$pop3
POP3S_PORT=$pop3s
SMTP_PORT=$smtp
SUBMISSION_PORT=$submission
SUBMISSIONS_PORT=$submissions
CA_FILE=$dir/tls/ca.pem
POSTFIX_CONFIG=$dir/postfix
MAILDIR=$dir/mail/example.test/probe/Maildir
EOF
    # Dovecot greets "Waiting for authentication process" until its auth process is up.
    wait_banner "$host" "$imap" 'ready\.' && wait_banner "$host" "$pop3" 'ready\.' &&
        wait_banner "$host" "$submission" '^220 ' || { stop; exit 1; }
    if [[ -n $until_exit ]]; then
        # Detached, so it outlives this script; once PID is gone it stops the servers and
        # removes DIR (a test process cannot clean up after itself: its harness is a static).
        setsid bash -c "while kill -0 $until_exit 2>/dev/null; do sleep 1; done; rm -f '$dir/watchdog.pid'; '$0' stop '$dir'; rm -rf '$dir'" \
            </dev/null >/dev/null 2>&1 &
        echo $! >"$dir/watchdog.pid"
    fi
    log "ready in $dir (IMAP $host:$imap/$imaps, POP3 $pop3/$pop3s, SMTP $submission/$submissions)"
}

case $cmd in
start) start "$@" ;;
stop) stop; log "stopped ($dir)" ;;
*) usage ;;
esac
