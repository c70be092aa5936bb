# The raked demo estimate of issue 13, computed by R's survey package: the share of IT-habits
# wave 2026 respondents who would contact the city by phone, with the stratified design weights
# raked to the district, age-group and gender margins of surveys/demo/population.csv.
# Usage: Rscript tests/r/demo_rake.R DIR   (DIR holds data.csv and population.csv, written by
# tests/r_oracle.rs). Prints "raked_phone <estimate> <se>" and "unweighted_phone <estimate> <se>".
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(file.path(args[1], "data.csv"), stringsAsFactors = FALSE)
pop <- read.csv(file.path(args[1], "population.csv"), stringsAsFactors = FALSE)
margin <- function(v) {
  t <- aggregate(pop$count, by = list(pop[[v]]), FUN = sum)
  names(t) <- c(v, "Freq")
  t
}
des <- svydesign(ids = ~1, strata = ~stratum, weights = ~weight, data = d)
raked <- rake(des, list(~district, ~age_group, ~gender),
              list(margin("district"), margin("age_group"), margin("gender")),
              control = list(maxit = 500, epsilon = 1e-9))
e <- svymean(~phone, raked, na.rm = TRUE)
cat(sprintf("raked_phone %.12f %.12f\n", coef(e), SE(e)))
u <- svymean(~phone, svydesign(ids = ~1, data = d), na.rm = TRUE)
cat(sprintf("unweighted_phone %.12f %.12f\n", coef(u), SE(u)))
