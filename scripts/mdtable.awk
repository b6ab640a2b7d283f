# mdtable.awk — rows of a pimattn sweep results.csv as a Markdown table (scripts/study-gqa.sh).
# -v where="col=val;col=val" (all must hold; status ok is implied), -v cols="col;col;..." (the columns,
# in order; a column "a/b" prints a divided by b), -v heads="H;H;..." (the header cells), -v fmt="%s;%.1f;..."
# (a printf format per column). Rows in file order; sort the output's body with sort(1) if needed.
# The results of these grids hold no quoted commas, so a plain comma split is exact (checked: a row with a
# quote is an error; skipped rows, whose reason is quoted, are not read).
BEGIN { FS = ","; nw = split(where, w, ";"); nc = split(cols, c, ";"); split(heads, h, ";"); split(fmt, f, ";") }
NR == 1 { for (i = 1; i <= NF; i++) idx[$i] = i
          for (k = 1; k <= nc; k++) { n = split(c[k], p, "/"); for (j = 1; j <= n; j++) if (!(p[j] in idx)) { print "mdtable: no column " p[j] > "/dev/stderr"; bad = 1; exit 2 } }
          for (k = 1; k <= nw; k++) { split(w[k], p, "="); if (!(p[1] in idx)) { print "mdtable: no column " p[1] > "/dev/stderr"; bad = 1; exit 2 } }
          line = "|"; sep = "|"; for (k = 1; k <= nc; k++) { line = line " " h[k] " |"; sep = sep "---|" }
          print line; print sep; next }
$idx["status"] != "ok" { next }   # (a skipped row's quoted reason is the last field)
index($0, "\"") { print "mdtable: a quoted field in line " NR > "/dev/stderr"; bad = 1; exit 2 }
{ for (k = 1; k <= nw; k++) { split(w[k], p, "="); if ($idx[p[1]] != p[2]) next }
  line = "|"
  for (k = 1; k <= nc; k++) {
      n = split(c[k], p, "/")
      if (n == 2) v = ($idx[p[2]] + 0 != 0) ? $idx[p[1]] / $idx[p[2]] : ""
      else v = $idx[p[1]]
      line = line " " (v == "" ? "-" : sprintf(f[k] ? f[k] : "%s", v)) " |"
  }
  print line }
END { if (bad) exit 2 }
