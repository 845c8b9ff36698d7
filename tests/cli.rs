//! The command-line front end: what it prints, and that bad arguments get a message and exit
//! code 2, never a panic.
#![cfg(not(any(loom, shuttle)))]

use std::process::{Command, Output};

fn planrace(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_planrace"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn bad_arguments_are_refused_with_a_message_and_exit_code_2() {
    let cases: [(&[&str], &str); 18] = [
        (&[], "no command given"),
        (&["frob"], "unknown command \"frob\""),
        (&["run", "--config", "0E1P4G2K"], "at least one enactor"),
        (&["run", "--config", "2E1P4G"], "malformed configuration"),
        (
            &["run", "--seed", "x"],
            "--seed \"x\" is not a valid number",
        ),
        (&["run", "--variant", "Paxos"], "unknown variant \"Paxos\""),
        (&["run", "--slow-percent", "101"], "at most 100"),
        (&["run", "--runs"], "--runs needs a value"),
        (&["replay", "--bogus"], "unknown option \"--bogus\""),
        (&["run", "--config", "65E1P4G2K"], "at most 64 can run here"),
        (&["run", "--config", "2E0P4G2K"], "at least one endpoint"),
        (&["run", "--config", "2E1P4G0K"], "K must be at least 1"),
        (&["run", "--config", "2E1P3G2K"], "generations"),
        (
            &["run", "--config", "2E1P2000000G2K"],
            "at most 1000000 are supported",
        ),
        (
            &["run", "--config", "2E1P99999999999999999999G2K"],
            "malformed configuration",
        ),
        (
            &["run", "--runs", "-1"],
            "--runs \"-1\" is not a valid number",
        ),
        (&["run", "--faults", "chaos"], "expected lock-loss or none"),
        (&["run", "--runs", "0"], "at least one run"),
    ];
    for (args, message) in cases {
        let output = planrace(args);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn run_prints_one_json_object_per_seed() {
    let output = planrace(&[
        "run",
        "--variant",
        "Fixed",
        "--config",
        "2E2P8G2K",
        "--runs",
        "3",
        "--json",
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3);
    for (seed, line) in lines.iter().enumerate() {
        assert!(line.starts_with("{\"variant\":\"Fixed\",\"config\":\"2E2P8G2K\""));
        assert!(line.contains(&format!("\"seed\":{seed},")));
        assert!(line.contains("\"violated\":[]"), "{line}");
    }
}

#[test]
fn replay_prints_the_incident_timeline() {
    let buggy = planrace(&["replay"]);
    assert!(buggy.status.success());
    let timeline = text(&buggy.stdout);
    assert!(
        timeline.contains("^^^ no_empty_record violated"),
        "{timeline}"
    );
    assert!(timeline.contains("txn ep0 FAIL: g2 gone"));

    let fixed = planrace(&["replay", "--variant", "Fixed"]);
    assert!(fixed.status.success());
    assert!(text(&fixed.stdout).contains("no property violated"));
}

#[test]
fn help_lists_the_commands() {
    let output = planrace(&["help"]);
    assert!(output.status.success());
    let usage = text(&output.stdout);
    assert!(usage.contains("planrace run") && usage.contains("planrace replay"));
}

#[cfg(feature = "stateright")]
#[test]
fn check_runs_the_step_model_and_prints_json() {
    let output = planrace(&[
        "check",
        "--variant",
        "Buggy",
        "--config",
        "2E1P4G2K",
        "--json",
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    for line in lines {
        assert!(line.starts_with("{\"checker\":\"stateright\",\"variant\":\"Buggy\""));
        assert!(line.contains("\"verdict\":\"violated\""), "{line}");
    }
}

#[cfg(feature = "stateright")]
#[test]
fn check_serve_answers_on_loopback() {
    use std::io::{Read as _, Write as _};
    use std::net::{Ipv4Addr, TcpListener, TcpStream};
    use std::time::Duration;

    /// Kills the server however the test ends.
    struct Server(std::process::Child);
    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port();
    let _server = Server(
        Command::new(env!("CARGO_BIN_EXE_planrace"))
            .args(["check", "--serve", "--port", &port.to_string()])
            .args(["--variant", "Buggy", "--config", "2E1P4G2K"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("the server starts"),
    );
    // Bounded: 50 tries, 100 ms apart, loopback only.
    let page = (0..50).find_map(|_| {
        std::thread::sleep(Duration::from_millis(100));
        let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        stream
            .write_all(b"GET /.status HTTP/1.0\r\nHost: localhost\r\n\r\n")
            .ok()?;
        let mut page = String::new();
        stream.read_to_string(&mut page).ok()?;
        Some(page)
    });
    let page = page.expect("the Explorer answered within 5 s");
    assert!(
        page.starts_with("HTTP/1.") && page.contains(" 200 "),
        "{page}"
    );
    assert!(page.contains("no_empty_record"), "{page}");
}

#[cfg(not(feature = "stateright"))]
#[test]
fn check_without_the_feature_says_how_to_get_it() {
    let output = planrace(&["check"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("--features stateright"));
}
