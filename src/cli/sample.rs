//! `insikt sample draw`: a reproducible stratified random sample from a CSV sampling frame,
//! with each unit's inclusion probability and design weight (issue 5's command-line front end;
//! the frame checks and the draw are `fieldwork::draw_sample`, shared with the web pages).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context};

use crate::use_cases::fieldwork::{self, AllocationSpec, DrawSpec};

/// `insikt sample …`
#[derive(Debug, clap::Args)]
pub struct SampleArgs {
    #[command(subcommand)]
    command: SampleCommand,
}

#[derive(Debug, clap::Subcommand)]
enum SampleCommand {
    /// Draw a stratified simple random sample without replacement from a frame.
    Draw(DrawArgs),
}

#[derive(Debug, clap::Args)]
struct DrawArgs {
    /// The sampling frame: CSV with a header row, UTF-8.
    #[arg(long)]
    frame: PathBuf,
    /// Column(s) whose combination defines the strata, e.g. district,age_group.
    #[arg(long, value_delimiter = ',', required = true)]
    strata: Vec<String>,
    /// Total sample size (proportional or Neyman allocation).
    #[arg(long, conflicts_with_all = ["n_per_stratum", "rate"])]
    n: Option<usize>,
    /// Sample size in every stratum (fixed allocation).
    #[arg(long, conflicts_with = "rate")]
    n_per_stratum: Option<usize>,
    /// Sampling fraction in every stratum, 0–1.
    #[arg(long)]
    rate: Option<f64>,
    /// fixed, proportional or neyman.
    #[arg(long, value_parser = ["fixed", "proportional", "neyman"], default_value = "proportional")]
    allocation: String,
    /// For Neyman: column with the expected standard deviation of the stratum (its mean within
    /// each stratum is used).
    #[arg(long)]
    sd_column: Option<String>,
    /// Column of unit ids that must be unique (default: `id` when the frame has one).
    #[arg(long)]
    id_column: Option<String>,
    /// Seed of the random draw; the same seed and frame give the same sample.
    #[arg(long)]
    seed: u64,
    /// Where to write the sample (the frame's drawn rows plus stratum, inclusion_probability,
    /// design_weight).
    #[arg(long)]
    out: PathBuf,
    /// Refuse frames with more rows than this.
    #[arg(long, default_value_t = 1_000_000)]
    max_rows: usize,
}

/// Run a `sample` command.
pub fn run(args: SampleArgs) -> anyhow::Result<()> {
    match args.command {
        SampleCommand::Draw(d) => draw(d),
    }
}

fn draw(a: DrawArgs) -> anyhow::Result<()> {
    let name = a.frame.display().to_string();
    let allocation = match (a.allocation.as_str(), a.n, a.n_per_stratum, a.rate) {
        (_, _, _, Some(r)) => AllocationSpec::Rate(r),
        ("fixed", _, Some(k), _) => AllocationSpec::Fixed(k),
        ("fixed", _, None, _) => bail!("--allocation fixed needs --n-per-stratum"),
        ("proportional", Some(n), _, _) => AllocationSpec::Proportional(n),
        ("neyman", Some(n), _, _) => AllocationSpec::Neyman {
            n,
            sd_column: a
                .sd_column
                .clone()
                .context("--allocation neyman needs --sd-column")?,
        },
        ("neyman", None, _, _) if a.sd_column.is_none() => {
            bail!("--allocation neyman needs --sd-column")
        }
        _ => bail!("give --n (proportional, neyman), --n-per-stratum (fixed) or --rate"),
    };
    let bytes = std::fs::read(&a.frame).with_context(|| format!("{name}: cannot open"))?;
    let sample = fieldwork::draw_sample(
        &name,
        &bytes,
        &DrawSpec {
            strata: a.strata.clone(),
            allocation,
            id_column: a.id_column.clone(),
            seed: a.seed,
            max_rows: a.max_rows,
        },
    )?;
    drop(bytes);

    // Write next to the target and rename, so a failure never leaves half a sample behind.
    let tmp = a.out.with_extension("csv.partial");
    {
        let mut w = csv::Writer::from_path(&tmp)
            .with_context(|| format!("{}: cannot write", tmp.display()))?;
        let mut header: Vec<&str> = sample.headers.iter().map(String::as_str).collect();
        header.extend(["stratum", "inclusion_probability", "design_weight"]);
        w.write_record(&header)?;
        for u in &sample.units {
            let mut rec: Vec<String> = u.fields.clone();
            rec.push(sample.plan[u.stratum].stratum.clone());
            rec.push(format!("{}", u.inclusion_probability));
            rec.push(format!("{}", u.design_weight));
            w.write_record(&rec)?;
        }
        w.flush()?;
    }
    std::fs::rename(&tmp, &a.out).with_context(|| format!("{}: cannot write", a.out.display()))?;

    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:<40} {:>10} {:>8} {:>12}",
        "stratum", "N_h", "n_h", "pi_h"
    )?;
    // Strata in key order, as the web page shows them; the plan itself stays in draw order
    // because the units index into it.
    let mut plan: Vec<_> = sample.plan.iter().collect();
    plan.sort_by(|a, b| a.stratum.cmp(&b.stratum));
    for p in plan {
        writeln!(
            out,
            "{:<40} {:>10} {:>8} {:>12.6}",
            p.stratum, p.population, p.sample, p.probability
        )?;
    }
    writeln!(
        out,
        "{:<40} {:>10} {:>8}",
        "total",
        sample.frame_rows,
        sample.units.len()
    )?;
    writeln!(
        out,
        "wrote {} rows to {} (seed {}, frame sha256 {})",
        sample.units.len(),
        a.out.display(),
        a.seed,
        sample.frame_sha256
    )?;
    Ok(())
}
