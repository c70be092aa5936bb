//! `insikt sample draw`: a reproducible stratified random sample from a CSV sampling frame,
//! with each unit's inclusion probability and design weight (issue 5's command-line front end;
//! the statistics are `analysis::sampling`).

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::PathBuf;

use analysis::sampling::{self, Allocation};
use anyhow::{anyhow, bail, Context};

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
    let allocation_kind = a.allocation.as_str();
    let mut reader = csv::ReaderBuilder::new()
        .from_path(&a.frame)
        .with_context(|| format!("{name}: cannot open"))?;
    let headers = reader
        .headers()
        .map_err(|e| anyhow!("{name}: the header row cannot be read: {e}"))?
        .clone();
    let col = |c: &str| -> anyhow::Result<usize> {
        headers.iter().position(|h| h == c).ok_or_else(|| {
            anyhow!(
                "{name}: no column '{c}' (columns: {})",
                headers.iter().collect::<Vec<_>>().join(", ")
            )
        })
    };
    let strata_cols: Vec<usize> = a
        .strata
        .iter()
        .map(|c| col(c))
        .collect::<anyhow::Result<_>>()?;
    let id_col = match &a.id_column {
        Some(c) => Some(col(c)?),
        None => headers.iter().position(|h| h == "id"),
    };
    let sd_col = match (&a.sd_column, allocation_kind) {
        (Some(c), _) => Some(col(c)?),
        (None, "neyman") => bail!("--allocation neyman needs --sd-column"),
        _ => None,
    };
    let mut rows: Vec<csv::StringRecord> = Vec::new();
    let mut stratum_of: Vec<usize> = Vec::new();
    let mut strata: BTreeMap<String, usize> = BTreeMap::new();
    let mut keys: Vec<String> = Vec::new();
    let mut seen_ids: HashMap<String, usize> = HashMap::new();
    let mut sd_sum: Vec<(f64, usize)> = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let line = i + 2; // 1-based, after the header
        let rec = rec.map_err(|e| match e.kind() {
            csv::ErrorKind::Utf8 { .. } => {
                anyhow!("{name} row {line}: not valid UTF-8 (save the file as UTF-8)")
            }
            _ => anyhow!("{name} row {line}: {e}"),
        })?;
        if rows.len() >= a.max_rows {
            bail!(
                "{name}: more than {} rows; split the frame or raise --max-rows",
                a.max_rows
            );
        }
        let key: Vec<&str> = strata_cols
            .iter()
            .map(|&c| rec.get(c).unwrap_or(""))
            .collect();
        if let Some(pos) = key.iter().position(|k| k.trim().is_empty()) {
            bail!(
                "{name} row {line}, column '{}': empty stratum value",
                a.strata[pos]
            );
        }
        let key = key.join(" / ");
        if let Some(c) = id_col {
            let id = rec.get(c).unwrap_or("").to_owned();
            if let Some(first) = seen_ids.insert(id.clone(), line) {
                bail!(
                    "{name} row {line}, column '{}': duplicate id '{id}' (first on row {first})",
                    headers.get(c).unwrap_or("id")
                );
            }
        }
        let next = strata.len();
        let h = *strata.entry(key.clone()).or_insert_with(|| {
            keys.push(key.clone());
            next
        });
        if h == sd_sum.len() {
            sd_sum.push((0.0, 0));
        }
        if let Some(c) = sd_col {
            let raw = rec.get(c).unwrap_or("").trim();
            let v: f64 = raw.replace(',', ".").parse().map_err(|_| {
                anyhow!(
                    "{name} row {line}, column '{}': '{raw}' is not a number",
                    headers.get(c).unwrap_or("")
                )
            })?;
            sd_sum[h].0 += v;
            sd_sum[h].1 += 1;
        }
        stratum_of.push(h);
        rows.push(rec);
    }
    if rows.is_empty() {
        bail!("{name}: the frame has no rows");
    }
    let mut pop = vec![0usize; keys.len()];
    for &h in &stratum_of {
        pop[h] += 1;
    }
    let allocation = match (allocation_kind, a.n, a.n_per_stratum, a.rate) {
        (_, _, _, Some(r)) => Allocation::Rate(r),
        ("fixed", _, Some(k), _) => Allocation::Fixed(k),
        ("fixed", _, None, _) => bail!("--allocation fixed needs --n-per-stratum"),
        ("proportional", Some(n), _, _) => Allocation::Proportional(n),
        ("neyman", Some(n), _, _) => Allocation::Neyman {
            n,
            sd: sd_sum
                .iter()
                .map(|(s, k)| if *k > 0 { s / *k as f64 } else { 0.0 })
                .collect(),
        },
        _ => bail!("give --n (proportional, neyman), --n-per-stratum (fixed) or --rate"),
    };
    let sizes = sampling::allocate(&pop, &allocation).map_err(|e| anyhow!("{name}: {e}"))?;
    let drawn = sampling::draw(&stratum_of, &sizes, a.seed).map_err(|e| anyhow!("{name}: {e}"))?;

    // Write next to the target and rename, so a failure never leaves half a sample behind.
    let tmp = a.out.with_extension("csv.partial");
    {
        let mut w = csv::Writer::from_path(&tmp)
            .with_context(|| format!("{}: cannot write", tmp.display()))?;
        let mut header: Vec<&str> = headers.iter().collect();
        header.extend(["stratum", "inclusion_probability", "design_weight"]);
        w.write_record(&header)?;
        for d in &drawn {
            let mut rec: Vec<String> = rows[d.unit].iter().map(str::to_owned).collect();
            rec.push(keys[d.stratum].clone());
            rec.push(format!("{}", d.inclusion_probability));
            rec.push(format!("{}", d.design_weight));
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
    for (h, key) in keys.iter().enumerate() {
        let pi = if pop[h] > 0 {
            sizes[h] as f64 / pop[h] as f64
        } else {
            0.0
        };
        writeln!(out, "{key:<40} {:>10} {:>8} {:>12.6}", pop[h], sizes[h], pi)?;
    }
    writeln!(out, "{:<40} {:>10} {:>8}", "total", rows.len(), drawn.len())?;
    writeln!(
        out,
        "wrote {} rows to {} (seed {})",
        drawn.len(),
        a.out.display(),
        a.seed
    )?;
    Ok(())
}
