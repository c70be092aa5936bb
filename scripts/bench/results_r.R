# R's survey package on the results-page benchmark's data (issue 13): the same 40 raked,
# filtered shares with SEs as `cargo bench --bench results -- page`, timed, and compared with
# the app's figures. Usage: Rscript scripts/bench/results_r.R DIR [REPETITIONS]
# DIR holds dataset.csv, population.csv and app_figures.csv, written by
# `RESULTS_R_DIR=DIR cargo bench --bench results` (see scripts/bench/results_r.sh).
# Prints the median elapsed seconds of each step over the repetitions, then the largest
# differences between R's and the app's estimates and SEs.
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
reps <- if (length(args) > 1) as.integer(args[2]) else 5L
d <- read.csv(file.path(dir, "dataset.csv"), stringsAsFactors = FALSE)
pop <- read.csv(file.path(dir, "population.csv"), stringsAsFactors = FALSE)
app <- read.csv(file.path(dir, "app_figures.csv"), stringsAsFactors = FALSE)
# The page also shows the three background questions; the 40 questions are what R times.
app <- app[grepl("^q[0-9]+c", app$name), ]
qs <- grep("^q[0-9]+$", names(d), value = TRUE)
for (q in qs) d[[q]] <- factor(d[[q]], levels = sort(unique(d[[q]])))
margin <- function(v) {
  t <- aggregate(pop$count, by = list(pop[[v]]), FUN = sum)
  names(t) <- c(v, "Freq")
  t
}
margins <- list(margin("district"), margin("age_group"), margin("gender"))
all_qs <- as.formula(paste("~", paste(qs, collapse = " + ")))

# The page: the design, raked as the app rakes (tolerance well below the app's 1e-8 relative,
# so both reach the same weights), the filter as a domain, then the 40 shares with SEs: once as
# one svymean of the 40 factors, once as 40 svymean calls (one per question, as the page does).
timings <- matrix(NA_real_, nrow = reps, ncol = 4,
                  dimnames = list(NULL, c("design_and_rake", "subset", "svymean_40_at_once",
                                          "svymean_40_calls")))
for (r in seq_len(reps)) {
  timings[r, 1] <- system.time({
    des <- svydesign(ids = ~1, strata = ~stratum, weights = ~design_weight, data = d)
    raked <- rake(des, list(~district, ~age_group, ~gender), margins,
                  control = list(maxit = 500, epsilon = 1e-9))
  })[["elapsed"]]
  timings[r, 2] <- system.time(sub <- subset(raked, in_selection == 1))[["elapsed"]]
  timings[r, 3] <- system.time(e <- svymean(all_qs, sub))[["elapsed"]]
  timings[r, 4] <- system.time(
    each <- lapply(qs, function(q) svymean(as.formula(paste("~", q)), sub))
  )[["elapsed"]]
}
med <- apply(timings, 2, median)
for (k in names(med)) cat(sprintf("%s %.3f s (runs: %s)\n", k, med[[k]],
                                  paste(sprintf("%.3f", timings[, k]), collapse = " ")))
cat(sprintf("page_at_once %.3f s\n", med[["design_and_rake"]] + med[["subset"]] + med[["svymean_40_at_once"]]))
cat(sprintf("page_per_question %.3f s\n", med[["design_and_rake"]] + med[["subset"]] + med[["svymean_40_calls"]]))

# The same figures? R names a share "q0c0"; so does app_figures.csv.
est <- coef(e)
se <- SE(e)
m <- match(app$name, names(est))
if (anyNA(m)) stop("the app has figures R does not: ", paste(app$name[is.na(m)], collapse = ", "))
each_se <- unlist(lapply(each, SE))
cat(sprintf("figures %d\n", nrow(app)))
cat(sprintf("max_abs_diff_estimate %.3e\n", max(abs(app$estimate - est[m]))))
cat(sprintf("max_rel_diff_se %.3e\n", max(abs(app$se - se[m]) / se[m])))
cat(sprintf("max_rel_diff_se_at_once_vs_calls %.3e\n", max(abs(se - each_se[names(se)]) / se)))
