//! Interleaved timing for ratio tables. On a shared, noisy machine two
//! contenders timed one after the other can see different loads; here each
//! round runs every contender's batch in turn (rotating who goes first),
//! and a contender's figure is the median over rounds of its time per
//! iteration, so a ratio compares like with like.

use std::time::{Duration, Instant};

struct Contender<'a> {
    name: String,
    f: Box<dyn FnMut() + 'a>,
    iters: u64,
    per_iter: Vec<f64>,
}

/// Contenders timed against each other in rounds.
#[derive(Default)]
pub struct Race<'a> {
    contenders: Vec<Contender<'a>>,
}

/// One contender's result.
#[derive(Debug, Clone)]
pub struct Timing {
    pub name: String,
    /// Median over rounds, nanoseconds per iteration.
    pub median_ns: f64,
    /// Fastest round, nanoseconds per iteration.
    pub min_ns: f64,
    pub iters_per_round: u64,
}

impl<'a> Race<'a> {
    pub fn new() -> Race<'a> {
        Race::default()
    }

    pub fn add(mut self, name: &str, f: impl FnMut() + 'a) -> Race<'a> {
        self.contenders.push(Contender {
            name: name.to_string(),
            f: Box::new(f),
            iters: 1,
            per_iter: Vec::new(),
        });
        self
    }

    /// Calibrates each contender to batches of about `batch`, then runs
    /// `rounds` rounds.
    pub fn run(mut self, rounds: usize, batch: Duration) -> Vec<Timing> {
        for c in &mut self.contenders {
            // Warm up, doubling the calls until they fill an eighth of a
            // batch (a slow contender stops after one call), then size the
            // batches from the last, warm, measurement.
            let mut n: u64 = 1;
            loop {
                let t = Instant::now();
                for _ in 0..n {
                    (c.f)();
                }
                let took = t.elapsed().max(Duration::from_nanos(20));
                if took >= batch / 8 || n >= 1 << 24 {
                    let per = took.as_nanos() / u128::from(n);
                    c.iters = (batch.as_nanos() / per.max(1)).clamp(1, 10_000_000) as u64;
                    break;
                }
                n *= 2;
            }
        }
        let n = self.contenders.len();
        for round in 0..rounds {
            for k in 0..n {
                let Some(c) = self.contenders.get_mut((round + k) % n) else {
                    continue;
                };
                let t = Instant::now();
                for _ in 0..c.iters {
                    (c.f)();
                }
                c.per_iter
                    .push(t.elapsed().as_nanos() as f64 / c.iters as f64);
            }
        }
        self.contenders
            .into_iter()
            .map(|mut c| {
                c.per_iter.sort_by(f64::total_cmp);
                Timing {
                    median_ns: c
                        .per_iter
                        .get(c.per_iter.len() / 2)
                        .copied()
                        .unwrap_or(f64::NAN),
                    min_ns: c.per_iter.first().copied().unwrap_or(f64::NAN),
                    name: c.name,
                    iters_per_round: c.iters,
                }
            })
            .collect()
    }
}

/// `12.3 µs`, `4.56 ms`, ... for a time in nanoseconds.
pub fn show_ns(ns: f64) -> String {
    if ns < 1_000.0 {
        format!("{ns:.1} ns")
    } else if ns < 1_000_000.0 {
        format!("{:.2} µs", ns / 1e3)
    } else if ns < 1_000_000_000.0 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

/// The machine, for the tables: cores and CPU model.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string());
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|t| t.split_whitespace().next().map(str::to_string))
        .unwrap_or_default();
    format!("{cores} cores, {cpu}, load average {load}")
}
