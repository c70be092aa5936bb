//! CPU time of the backlog rank bootstrap next to its wall time: on the shared 2-core machine the wall
//! time of `cargo bench --bench backlog` mostly measures the other builds. Run with
//! `cargo run --release -p analysis --example backlog_cpu -- 1000 2` (replicates, threads).

use std::time::Instant;

use analysis::backlog::{rank_uncertainty, RankUncertaintyOptions};

#[path = "../benches/backlog/data.rs"]
mod data;
use data::{criteria, naive, sources, synthetic};

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("linux");
    let f: Vec<&str> = stat
        .rsplit(')')
        .next()
        .expect("stat")
        .split_whitespace()
        .collect();
    // Fields 14 and 15 (utime, stime) are at 11 and 12 after the command name; clock ticks of 1/100 s.
    (f[11].parse::<f64>().expect("utime") + f[12].parse::<f64>().expect("stime")) / 100.0
}

fn main() {
    let s = synthetic();
    let areas = sources(&s);
    let criteria = criteria();
    let reps: usize = std::env::args()
        .nth(1)
        .map_or(1000, |a| a.parse().expect("reps"));
    let threads: usize = std::env::args()
        .nth(2)
        .map_or(1, |a| a.parse().expect("threads"));
    let o = RankUncertaintyOptions {
        replicates: reps,
        seed: 14,
        level: 0.9,
        top_k: 5,
        threads,
    };
    for _ in 0..3 {
        let (t, c) = (Instant::now(), cpu_seconds());
        let r = rank_uncertainty(&s.design, &criteria, &areas, &o).expect("runs");
        eprintln!(
            "rank_uncertainty {reps} reps {threads} threads: wall {:.2} s, cpu {:.2} s, load {}",
            t.elapsed().as_secs_f64(),
            cpu_seconds() - c,
            std::fs::read_to_string("/proc/loadavg")
                .expect("linux")
                .trim()
        );
        std::hint::black_box(r);
    }
    let (t, c) = (Instant::now(), cpu_seconds());
    let n = naive(&s, 40);
    eprintln!(
        "naive 40 reps 2 threads: wall {:.2} s, cpu {:.2} s",
        t.elapsed().as_secs_f64(),
        cpu_seconds() - c
    );
    std::hint::black_box(n);
}
