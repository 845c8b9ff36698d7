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
    let cases: &[(&[&str], &str)] = &[
        (&[], "Usage: planrace <COMMAND>"),
        (&["frob"], "unrecognized subcommand 'frob'"),
        (&["run", "--config", "0E1P4G2K"], "at least one enactor"),
        (&["run", "--config", "2E1P4G"], "malformed configuration"),
        (&["run", "--seed", "x"], "\"x\" is not a number"),
        (&["run", "--variant", "Paxos"], "unknown variant \"Paxos\""),
        (
            &["run", "--slow-percent", "101"],
            "101 is out of range: 0 to 100",
        ),
        (
            &["run", "--runs"],
            "a value is required for '--runs <RUNS>'",
        ),
        (&["replay", "--bogus"], "unexpected argument '--bogus'"),
        (&["run", "--bogus"], "unexpected argument '--bogus'"),
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
        (&["run", "--runs", "-1"], "unexpected argument '-1'"),
        (
            &["run", "--faults", "chaos"],
            "invalid value 'chaos' for '--faults",
        ),
        (&["run", "--runs", "0"], "0 is out of range: 1 to 1000000"),
        // Conventional parsing: signs, duplicates, ranges, seeds that would wrap.
        (
            &["run", "--config", "+3E+4P12G2K"],
            "is not a number (digits only)",
        ),
        (
            &["run", "--seed", "+5"],
            "\"+5\" is not a number (digits only)",
        ),
        (&["run", "--burst", "0"], "0 is out of range: 1 to 1000000"),
        (
            &["run", "--seed", "1", "--seed", "2"],
            "the argument '--seed <SEED>' cannot be used multiple times",
        ),
        (
            &["replay", "--variant", "Fixed", "--variant", "Buggy"],
            "cannot be used multiple times",
        ),
        (
            &["run", "--json", "--json"],
            "cannot be used multiple times",
        ),
        (
            &["run", "--seed", "18446744073709551614", "--runs", "3"],
            "passes the last seed, 18446744073709551615",
        ),
        (
            &["run", "--backoff-us", "18446744073709551615"],
            "out of range: 0 to 1000000",
        ),
        (
            &["run", "--write-delay-us", "1000001"],
            "out of range: 0 to 1000000",
        ),
        (
            &["run", "--burst-pause-us", "99999999"],
            "out of range: 0 to 1000000",
        ),
        (&["run", "--lock-loss", "4"], "4 is out of range: 0 to 3"),
        (&["check", "--port", "0"], "0 is out of range: 1 to 65535"),
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
fn help_and_version_answer_on_every_command() {
    for args in [
        &["--help"][..],
        &["help"],
        &["run", "--help"],
        &["run", "-h"],
        &["replay", "--help"],
        &["check", "--help"],
        &["prove", "--help"],
        &["help", "run"],
    ] {
        let output = planrace(args);
        let stdout = text(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&output.stderr)
        );
        assert!(stdout.contains("Usage: planrace"), "{args:?}: {stdout}");
    }
    let run_help = text(&planrace(&["run", "--help"]).stdout);
    for stated in [
        "sweep age K (1 to G-2)",
        "[1-1000000]",
        "[0-100]",
        "--burst 1",
    ] {
        assert!(
            run_help.contains(stated),
            "run --help states {stated:?}:\n{run_help}"
        );
    }
    let version = planrace(&["--version"]);
    assert_eq!(version.status.code(), Some(0));
    assert_eq!(
        text(&version.stdout).trim(),
        format!("planrace {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn flags_take_their_value_after_an_equals_sign_too() {
    let output = planrace(&["replay", "--variant=Fixed"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("under Fixed"));
}

/// Runs `planrace` with its stdout a pipe whose reading end is already closed.
fn with_closed_stdout(args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    Command::new(env!("CARGO_BIN_EXE_planrace"))
        .args(args)
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("the binary runs")
}

#[test]
fn a_closed_pipe_ends_the_program_quietly() {
    for args in [
        &["--help"][..],
        &["replay"],
        &["run", "--config", "2E2P8G2K", "--runs", "3"],
        &["run", "--config", "2E2P8G2K", "--runs", "3", "--json"],
    ] {
        let output = with_closed_stdout(args);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_a_one_line_error() {
    for args in [&["replay"][..], &["run", "--config", "2E2P8G2K", "--json"]] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let output = Command::new(env!("CARGO_BIN_EXE_planrace"))
            .args(args)
            .stdout(full)
            .output()
            .expect("the binary runs");
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(
            stderr.contains("cannot write the output: No space left on device"),
            "{stderr}"
        );
    }
}

#[test]
fn a_full_disk_under_stdout_and_stderr_alike_is_an_exit_status_not_a_panic() {
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full")
    };
    // The output fails (1); a bad command line's message cannot be written either (2).
    for (args, status) in [
        (&["run", "--config", "2E1P4G2K"][..], 1),
        (&["replay"][..], 1),
        (&["run", "--config", "0E1P4G2K"][..], 2),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_planrace"))
            .args(args)
            .stdout(full())
            .stderr(full())
            .output()
            .expect("the binary runs");
        assert_eq!(output.status.code(), Some(status), "{args:?}");
    }
}

#[test]
fn run_prints_json_lines_one_object_per_seed_then_a_summary() {
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
    let objects: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("every line is one JSON object"))
        .collect();
    assert_eq!(objects.len(), 4, "{stdout}");
    for (seed, run) in objects[..3].iter().enumerate() {
        assert_eq!(run["kind"], "run");
        assert_eq!(run["variant"], "Fixed");
        assert_eq!(run["config"], "2E2P8G2K");
        assert_eq!(run["seed"], seed);
        assert_eq!(run["violated"], serde_json::json!([]));
        assert!(run["updates_per_second"].is_number() || run["updates_per_second"].is_null());
    }
    let summary = &objects[3];
    assert_eq!(summary["kind"], "summary");
    assert_eq!(summary["completed"], 3);
    assert_eq!(summary["interrupted"], serde_json::Value::Null);
}

/// Starts a long `planrace run`, sends it `signal` once it is under way, and returns what it
/// printed and its exit status.
fn interrupted(signal: &str, json: bool) -> Output {
    let mut args = vec!["run", "--config", "3E4P200000G2K", "--runs", "50"];
    if json {
        args.push("--json");
    }
    let child = Command::new(env!("CARGO_BIN_EXE_planrace"))
        .args(&args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // Long enough for the handlers to be in place and the first run to be under way.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let sent = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    child.wait_with_output().expect("the run ends")
}

#[test]
fn sigint_and_sigterm_summarise_the_completed_runs_and_exit_130_and_143() {
    let output = interrupted("-INT", false);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(130), "{stdout}{stderr}");
    assert!(stdout.contains("(stopped by SIGINT after"), "{stdout}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // The progress line, if one was shown, was ended before the summary.
    assert!(stderr.is_empty() || stderr.ends_with('\n'), "{stderr:?}");

    let output = interrupted("-TERM", true);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(143), "{stdout}");
    let last = stdout.lines().last().expect("a summary line");
    let summary: serde_json::Value = serde_json::from_str(last).expect("JSON");
    assert_eq!(summary["kind"], "summary");
    assert_eq!(summary["interrupted"], "SIGTERM");
}

#[test]
fn replay_prints_the_incident_timeline_for_every_variant() {
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

    for variant in [
        "RecheckBeforeWrite",
        "ConditionalWriteOnly",
        "GuardedSweepOnly",
        "GuardedSweepNonAtomic",
        "SkipDeletedPlan",
        "FixedWithoutCompare",
        "FixedWithoutExistenceCheck",
        "FixedNonAtomicSweep",
        "FixedAgeSweep",
        "FixedSkipPartlyApplied",
    ] {
        let started = std::time::Instant::now();
        let output = planrace(&["replay", "--variant", variant]);
        assert!(
            output.status.success(),
            "{variant}: {}",
            text(&output.stderr)
        );
        assert!(text(&output.stdout).contains(&format!("under {variant}")));
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{variant} stalled"
        );
    }
}

#[test]
fn the_smallest_configuration_shows_the_race_with_the_flag_the_help_names() {
    // With the default bursts of 4, 2E1P4G2K publishes everything at once (run --help says so);
    // --burst 1 lets an Enactor hold a stale plan.
    let output = planrace(&[
        "run", "--config", "2E1P4G2K", "--burst", "1", "--runs", "300", "--json",
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let last = stdout.lines().last().expect("a summary line");
    let summary: serde_json::Value = serde_json::from_str(last).expect("JSON");
    assert!(
        summary["with_empty_record"].as_u64() > Some(0),
        "no empty record in 300 seeds of Buggy 2E1P4G2K --burst 1: {summary}"
    );
}

#[cfg(feature = "stateright")]
#[test]
fn check_with_looping_enactors_says_so_and_leaves_progress_out() {
    let output = planrace(&[
        "check",
        "--variant=Buggy",
        "--config=2E1P4G2K",
        "--cycles=forever",
        "--json",
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect();
    let properties: Vec<&str> = lines
        .iter()
        .map(|v| v["property"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(properties, ["no_empty_record", "monotonic_generation"]);
    for verdict in &lines {
        assert_eq!(verdict["cycles"], "forever");
    }
    let text_output = text(&planrace(&["check", "--config=2E1P4G2K", "--cycles=forever"]).stdout);
    assert!(
        text_output.contains(" cycles=forever states="),
        "{text_output}"
    );
}

/// `prove --json`: one verdict per property, one object per solver call (with its time) and
/// the conformance check. Needs z3 (Debian package z3).
#[test]
fn prove_prints_verdicts_solver_calls_and_conformance_as_json() {
    let output = planrace(&["prove", "--variant=Fixed", "--json"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect();
    let kind = |k: &str| lines.iter().filter(|v| v["kind"] == k).count();
    assert_eq!(kind("verdict"), 3, "{stdout}");
    assert_eq!(kind("conformance"), 1, "{stdout}");
    assert!(kind("solver_call") > 0, "{stdout}");
    for verdict in lines.iter().filter(|v| v["kind"] == "verdict") {
        assert_eq!(verdict["checker"], "smt");
        assert_eq!(verdict["config"], "any");
        assert_eq!(verdict["verdict"], "holds", "{verdict}");
    }
    for call in lines.iter().filter(|v| v["kind"] == "solver_call") {
        assert!(call["seconds"].as_f64().is_some_and(|s| s > 0.0), "{call}");
    }
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
        let verdict: serde_json::Value = serde_json::from_str(line).expect("JSON");
        assert_eq!(verdict["kind"], "verdict");
        assert_eq!(verdict["checker"], "stateright");
        assert_eq!(verdict["variant"], "Buggy");
        assert_eq!(verdict["verdict"], "violated", "{line}");
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

#[cfg(not(feature = "dns"))]
#[test]
fn a_zone_on_a_server_without_the_feature_says_how_to_get_it() {
    for args in [
        ["run", "--zone", "bind"],
        ["replay", "--zone", "dns://127.0.0.1:15353"],
    ] {
        let output = planrace(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(text(&output.stderr).contains("--features dns"), "{args:?}");
    }
    assert_eq!(
        planrace(&["replay", "--zone", "memory"]).status.code(),
        Some(0)
    );
}

#[test]
fn recover_prints_one_line_per_run_and_json_on_request() {
    let args = [
        "recover",
        "--hosts",
        "500",
        "--horizon-s",
        "7200",
        "--outage-s",
        "1200",
    ];
    let output = planrace(&args);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let line = stdout.lines().next().unwrap_or_default();
    for field in [
        "planrace-recovery policy=incident hosts=500 recovered=",
        " recovery_s=",
        " calls=",
        " wasted=",
        " peak_queue=",
    ] {
        assert!(line.contains(field), "{line}");
    }
    let json = planrace(&[&args[..], &["--json", "--policy", "budget"]].concat());
    let value: serde_json::Value =
        serde_json::from_str(text(&json.stdout).trim()).expect("one JSON object");
    assert_eq!(value["kind"], "recovery");
    assert_eq!(value["policy"], "budget");
    assert_eq!(value["hosts"], 500);
    let brooker = planrace(&["recover", "--brooker", "--clients", "10", "--trials", "5"]);
    assert!(text(&brooker.stdout).starts_with("planrace-brooker clients=10 trials=5 "));
    assert!(text(&brooker.stdout).contains(" calls_ratio="));
    for bad in [
        &["recover", "--policy", "jitter"][..],
        &["recover", "--hosts", "0"],
        &["recover", "--clients", "5"],
        &["recover", "--brooker", "--policy", "budget"],
    ] {
        assert_eq!(planrace(bad).status.code(), Some(2), "{bad:?}");
    }
}
