# Conformance oracle for the analysis crate (issue 17): R's survey package and base R's classical
# tests on random designs, written as reference values the crate's test
# `analysis/tests/r_conformance.rs` recomputes without R (to 1e-6 relative).
#
#   Rscript tests/r/conformance.R OUTDIR
#
# writes OUTDIR/<design>.csv (the data of each design) and OUTDIR/reference.tsv, one value a line:
#   design <TAB> key <TAB> value
# plus one `spec` line per design saying how to build it (strata, clusters, fpc, weights, policy).
# The committed copy is tests/r/conformance/; `.ci/run` re-runs this script where Rscript and the
# survey package are installed and checks the crate against the fresh output as well.
#
# Written for R 4.2 and survey 4.1.1 (Debian's r-base-core and r-cran-survey). Deliberate
# differences of the crate, and so cases left out here, are listed in analysis/README.md
# ("Conformance with R").

suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args)) args[1] else "tests/r/conformance"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
ref <- file(file.path(out, "reference.tsv"), "w")
put <- function(design, key, value) {
  for (i in seq_along(value)) {
    k <- if (length(value) > 1) paste0(key, ".", i) else key
    cat(design, "\t", k, "\t", sprintf("%.17g", as.numeric(value[i])), "\n", sep = "", file = ref)
  }
}
spec <- function(design, text) cat(design, "\tspec\t", text, "\n", sep = "", file = ref)
options(survey.lonely.psu = "fail")
level <- 0.95

set.seed(20261207)

# --- Data -----------------------------------------------------------------------------------
# One respondent a row: numeric y (some missing) and x > 0, categorical g (some missing) and h,
# complete rake/post-stratification variables r1, r2, and a domain variable dom.
respondents <- function(d) {
  n <- nrow(d)
  d$w <- round(d$w, 6)  # exactly what the CSV holds
  d$x <- round(rgamma(n, 3, 0.5) + 1, 3)
  d$y <- round(2 * d$x + as.numeric(d$stratum) + rnorm(n, 0, 3), 3)
  d$y[sample(n, 4)] <- NA
  d$g <- sample(c("a", "b", "c"), n, TRUE, prob = c(0.5, 0.3, 0.2))
  d$g[sample(n, 3)] <- NA
  d$h <- sample(c("u", "v"), n, TRUE, prob = c(0.6, 0.4))
  d$r1 <- sample(c("r1a", "r1b", "r1c"), n, TRUE)
  d$r2 <- sample(c("r2a", "r2b"), n, TRUE)
  d$dom <- sample(c("p", "q"), n, TRUE)
  d
}

# Stratified, one unit a PSU, fpc as population counts.
strat <- local({
  nh <- c(12, 15, 10, 13); Nh <- c(120, 300, 80, 1000)
  d <- data.frame(stratum = rep(seq_along(nh), nh))
  d$psu <- seq_len(nrow(d))
  d$N1 <- Nh[d$stratum]
  d$w <- d$N1 / nh[d$stratum]
  respondents(d)
})

# Stratified one-stage cluster sample with fpc as sampling fractions; stratum 4 is a certainty
# stratum (its only PSU sampled with fraction 1).
clus1 <- local({
  psus <- c(4, 5, 3, 1); Npsu <- c(20, 40, 9, 1)
  rows <- list()
  for (h in seq_along(psus)) for (p in seq_len(psus[h])) {
    m <- sample(3:7, 1)
    rows[[length(rows) + 1]] <- data.frame(stratum = h, psu = p, f1 = psus[h] / Npsu[h],
                                           w = Npsu[h] / psus[h] * runif(1, 0.8, 1.2))[rep(1, m), ]
  }
  respondents(do.call(rbind, rows))
})

# The same kind of design with population counts, a certainty unit N = 1 beside larger counts.
clus1n <- local({
  d <- clus1
  d$N1 <- round(d$psu * 0 + c(20, 40, 9, 1)[d$stratum])
  d$f1 <- NULL
  d
})

# Two-stage cluster sample with fpc at both stages (PSUs per stratum, units per PSU).
clus2 <- local({
  psus <- c(4, 3, 5); Npsu <- c(30, 12, 50)
  rows <- list()
  for (h in seq_along(psus)) for (p in seq_len(psus[h])) {
    m <- sample(3:6, 1); M <- m * sample(4:20, 1)
    rows[[length(rows) + 1]] <- data.frame(stratum = h, psu = p, N1 = Npsu[h], N2 = M,
                                           w = Npsu[h] / psus[h] * M / m)[rep(1, m), ]
  }
  d <- do.call(rbind, rows)
  d$ssu <- seq_len(nrow(d))
  respondents(d)
})

# Stratified cluster sample, with replacement, whose stratum 3 has a single PSU.
lonely <- local({
  psus <- c(3, 4, 1, 2)
  rows <- list()
  for (h in seq_along(psus)) for (p in seq_len(psus[h])) {
    m <- sample(3:6, 1)
    rows[[length(rows) + 1]] <- data.frame(stratum = h, psu = p, w = runif(1, 5, 30))[rep(1, m), ]
  }
  respondents(do.call(rbind, rows))
})

# Stratified cluster sample with some weights 0.
zero <- local({
  d <- lonely[lonely$stratum != 3, ]
  d$w[c(2, 9, 17)] <- 0
  d
})

write_data <- function(name, d) {
  d$psu <- as.integer(d$psu)
  write.csv(d, file.path(out, paste0(name, ".csv")), row.names = FALSE, na = "NA")
}

# --- Estimates --------------------------------------------------------------------------------
estimates <- function(name, des, totals = TRUE, domains = TRUE, tables = TRUE, whole = TRUE) {
  if (whole) whole_sample(name, des, totals)
  if (domains) domain_estimates(name, des, totals)
  if (tables) {
    x2 <- svychisq(~g + h, des, statistic = "F")
    put(name, "chisq.F", c(x2$statistic, x2$parameter, x2$p.value))
    x1 <- svychisq(~g + h, des, statistic = "Chisq")
    put(name, "chisq.first", c(x1$statistic, x1$p.value))
    # The Pearson X² on the table scaled to the design's rows (missing included), as svychisq.
    N <- nrow(des)
    pearson <- suppressWarnings(chisq.test(svytable(~g + h, des, Ntotal = N), correct = FALSE))
    put(name, "chisq.pearson", pearson$statistic)
  }
}

whole_sample <- function(name, des, totals) {
  m <- svymean(~y, des, na.rm = TRUE, deff = TRUE)
  put(name, "mean", c(coef(m), SE(m), deff(m)))
  if (totals) {
    t <- svytotal(~y, des, na.rm = TRUE, deff = TRUE)
    put(name, "total", c(coef(t), SE(t), deff(t)))
  }
  r <- svyratio(~y, ~x, des, na.rm = TRUE)
  put(name, "ratio", c(coef(r), SE(r)))
  for (lev in c("a", "b", "c")) {
    f <- as.formula(sprintf('~I(g == "%s")', lev))
    p <- svymean(f, des, na.rm = TRUE)
    put(name, paste0("prop.", lev), c(coef(p)[2], SE(p)[2]))
    for (method in c("logit", "beta", "mean")) {
      ci <- svyciprop(f, des, method = method, level = level, na.rm = TRUE)
      put(name, paste0("ciprop.", method, ".", lev), attr(ci, "ci"))
    }
  }
  q <- svyquantile(~y, des, c(0.25, 0.5, 0.75), na.rm = TRUE, ci = TRUE)$y
  for (i in 1:3) put(name, paste0("quantile.", i), q[i, c(1, 2, 3, 4)])
}

domain_estimates <- function(name, des, totals) {
    for (lev in c("p", "q")) {
      sub <- subset(des, dom == lev)
      dm <- svymean(~y, sub, na.rm = TRUE, deff = TRUE)
      put(name, paste0("domain.", lev, ".mean"), c(coef(dm), SE(dm), deff(dm)))
      if (totals) {
        dt <- svytotal(~y, sub, na.rm = TRUE)
        put(name, paste0("domain.", lev, ".total"), c(coef(dt), SE(dt)))
      }
      dr <- svyratio(~y, ~x, sub, na.rm = TRUE)
      put(name, paste0("domain.", lev, ".ratio"), c(coef(dr), SE(dr)))
      dq <- svyquantile(~y, sub, c(0.25, 0.5, 0.75), na.rm = TRUE, ci = TRUE)$y
      for (i in 1:3) put(name, paste0("domain.", lev, ".quantile.", i), dq[i, 1:4])
      for (method in c("logit", "beta")) {
        ci <- svyciprop(~I(g == "a"), sub, method = method, level = level, na.rm = TRUE)
        put(name, paste0("domain.", lev, ".ciprop.", method, ".a"), c(coef(ci), attr(ci, "ci")))
      }
      # svyby gives the same as the subset (checked here so the reference cannot drift).
      by <- suppressWarnings(svyby(~y, ~dom, des, svymean, na.rm = TRUE))
      stopifnot(abs(coef(by)[lev] - coef(dm)) < 1e-12)
      stopifnot(abs(SE(by)[match(lev, c("p", "q"))] - SE(dm)) < 1e-12)
    }
}

weighting <- function(name, des, d) {
  N <- sum(weights(des))
  pop1 <- data.frame(r1 = c("r1a", "r1b", "r1c"), Freq = N * c(0.5, 0.3, 0.2))
  pop2 <- data.frame(r2 = c("r2a", "r2b"), Freq = N * c(0.45, 0.55))
  raked <- rake(des, list(~r1, ~r2), list(pop1, pop2), control = list(maxit = 200, epsilon = 1e-10))
  rm <- svymean(~y, raked, na.rm = TRUE); rt <- svytotal(~y, raked, na.rm = TRUE)
  put(name, "rake.mean", c(coef(rm), SE(rm)))
  put(name, "rake.total", c(coef(rt), SE(rt)))
  ps <- postStratify(des, ~r1, pop1)
  pm <- svymean(~y, ps, na.rm = TRUE); pt <- svytotal(~y, ps, na.rm = TRUE)
  put(name, "poststratify.mean", c(coef(pm), SE(pm)))
  put(name, "poststratify.total", c(coef(pt), SE(pt)))
  tx <- sum(weights(des) * d$x) * 1.1
  cal <- calibrate(des, ~x, c(`(Intercept)` = N, x = tx), calfun = "linear")
  cm <- svymean(~y, cal, na.rm = TRUE)
  put(name, "calibrate.mean", c(coef(cm), SE(cm)))
  cat(name, "\tweighting\t", sprintf("%.17g", N), "\t", sprintf("%.17g", tx), "\n", sep = "", file = ref)
}

# --- Designs ----------------------------------------------------------------------------------
write_data("strat", strat)
spec("strat", "strata=stratum;weights=w;fpc=N1")
d <- svydesign(ids = ~1, strata = ~stratum, weights = ~w, fpc = ~N1, data = strat)
estimates("strat", d); weighting("strat", d, strat)

write_data("clus1", clus1)
spec("clus1", "strata=stratum;cluster=psu;weights=w;fpc=f1")
d <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, fpc = ~f1, data = clus1, nest = TRUE)
estimates("clus1", d); weighting("clus1", d, clus1)

write_data("clus1n", clus1n)
spec("clus1n", "strata=stratum;cluster=psu;weights=w;fpc=N1")
d <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, fpc = ~N1, data = clus1n, nest = TRUE)
estimates("clus1n", d, domains = FALSE, tables = FALSE)

write_data("clus2", clus2)
spec("clus2", "strata=stratum;cluster=psu,ssu;weights=w;fpc=N1,N2")
d <- svydesign(ids = ~psu + ssu, strata = ~stratum, weights = ~w, fpc = ~N1 + N2, data = clus2, nest = TRUE)
estimates("clus2", d); weighting("clus2", d, clus2)

write_data("lonely", lonely)
for (policy in c("remove", "certainty", "average", "adjust")) {
  options(survey.lonely.psu = policy)
  name <- paste0("lonely_", policy)
  spec(name, paste0("data=lonely;strata=stratum;cluster=psu;weights=w;lonely=", policy))
  d <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = lonely, nest = TRUE)
  # survey 4.1.1 does not centre a lonely PSU's total under "adjust" (survey 4.5 and the crate
  # centre it at the mean of all PSU totals): means, shares and ratios agree, totals do not.
  estimates(name, d, totals = policy != "adjust", domains = FALSE)
}
options(survey.lonely.psu = "fail")

# Domains that leave a stratum out or keep one PSU of it, under each policy and with
# options(survey.adjust.domain.lonely = TRUE). Domain p has no row in the lonely stratum 3 and a
# single PSU in strata 1 and 4; the domain is given per PSU.
lonelydom <- local({
  psus <- c(3, 4, 1, 2, 3)
  dom <- list(c("p", "q", "q"), c("p", "p", "q", "q"), "q", c("p", "q"), c("q", "q", "p"))
  rows <- list()
  for (h in seq_along(psus)) for (p in seq_len(psus[h])) {
    m <- sample(3:6, 1)
    rows[[length(rows) + 1]] <- data.frame(stratum = h, psu = p, w = runif(1, 5, 30))[rep(1, m), ]
  }
  d <- respondents(do.call(rbind, rows))
  d$dom <- unlist(mapply(function(h, p) dom[[h]][p], d$stratum, d$psu))
  d
})
write_data("lonelydom", lonelydom)
for (adl in c(FALSE, TRUE)) for (policy in c("fail", "remove", "certainty", "average", "adjust")) {
  options(survey.lonely.psu = policy, survey.adjust.domain.lonely = adl)
  name <- paste0("lonelydom_", policy, if (adl) "_adl" else "")
  spec(name, paste0("data=lonelydom;strata=stratum;cluster=psu;weights=w;lonely=", policy,
                    ";adl=", adl))
  d <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = lonelydom, nest = TRUE)
  if (policy == "fail") {
    # Domain p never meets the lonely stratum, so R estimates it even under "fail".
    sub <- subset(d, dom == "p")
    dm <- suppressWarnings(svymean(~y, sub, na.rm = TRUE, deff = TRUE))
    put(name, "domain.p.mean", c(coef(dm), SE(dm), deff(dm)))
  } else {
    suppressWarnings(estimates(name, d, totals = policy != "adjust", tables = FALSE))
  }
}
options(survey.lonely.psu = "fail", survey.adjust.domain.lonely = FALSE)

write_data("zero", zero)
spec("zero", "strata=stratum;cluster=psu;weights=w")
d <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = zero, nest = TRUE)
estimates("zero", d)

# --- Classical tests (base R stats) -------------------------------------------------------------
tests <- file(file.path(out, "classical.tsv"), "w")
vec <- function(v) paste(sprintf("%.17g", v), collapse = " ")
emit <- function(name, input, value) cat(name, "\t", input, "\t", vec(value), "\n", sep = "", file = tests)
for (case in 1:4) {
  m <- c(7, 12, 30, 60)[case]; n <- c(9, 10, 45, 55)[case]
  x <- round(rnorm(m, 0.4), if (case == 2) 0 else 6)
  y <- round(rnorm(n), if (case == 2) 0 else 6)
  w <- suppressWarnings(wilcox.test(x, y))
  emit(paste0("wilcox.", case), paste(vec(x), "|", vec(y)), c(w$statistic, w$p.value))
}
for (case in 1:4) {
  n <- c(7, 9, 25, 40)[case]
  x <- round(rnorm(n), if (case == 4) 0 else 6)
  y <- round(x + rnorm(n), 6)
  s <- suppressWarnings(cor.test(x, y, method = "spearman"))
  emit(paste0("spearman.", case), paste(vec(x), "|", vec(y)), c(s$statistic, s$estimate, s$p.value))
}
groups <- lapply(c(6, 8, 5), function(n) round(rnorm(n, runif(1, 0, 1)), 1))
k <- kruskal.test(groups)
emit("kruskal.1", paste(sapply(groups, vec), collapse = " | "), c(k$statistic, k$parameter, k$p.value))
p <- c(round(runif(10)^3, 4), 0.01, 0.01, 0.2)
for (method in c("holm", "hochberg", "hommel", "bonferroni", "BH", "BY", "fdr")) {
  emit(paste0("padjust.", method), vec(p), p.adjust(p, method))
}
p2 <- c(0.02, 0.04)
emit("padjust.hommel2", vec(p2), p.adjust(p2, "hommel"))
close(tests)
close(ref)
