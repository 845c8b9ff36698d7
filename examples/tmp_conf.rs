fn main() {
    let args: Vec<String> = std::env::args().collect();
    let solver: planrace::Solver = args.get(1).map(|s| s.parse().unwrap()).unwrap_or(planrace::Solver::Z3);
    let mut options = planrace::ProveOptions::new(solver);
    if let Some(v) = args.get(2) { options.variants = vec![v.parse().unwrap()]; }
    let report = planrace::prove(&options, |l| eprintln!("{l}")).unwrap();
    print!("{report}");
    println!("as claimed: {} in {:.2}s", report.as_claimed(), report.seconds);
}
