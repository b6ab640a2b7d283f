# coverage-rtl.awk — source-level figures from a verilator_coverage data file (make coverage; docs/coverage.md).
# Input: the merged data file (lines "C '<key>' <count>", the key's fields separated by \001, each field's name
# and value by \002: f file, l line, n column, page TYPE/module, o what, S the lines a block spans, h hierarchy).
# A point of the source is the same file, line, column, type, "o" and "S" in any build, parameterisation and
# instance: their counts are summed (hit: > 0). Two kinds (docs/coverage.md, "What the figures count"):
#   line    Verilator's --coverage-line points, blocks (v_line) and if/else/case arms (v_branch); a source line
#           carrying one or more of them is hit when every one of them is hit (the lowest count).
#   toggle  Verilator's --coverage-toggle points, one per bit of each signal; hit when the bit changed.
# Writes (variables): line_info, toggle_info (lcov tracefiles for genhtml: DA per line, the lowest count of
# the line's points), unhit (every point not hit, "file:line: type what", sorted) and, on standard output,
# one line per directory: "DIR lines_found lines_hit toggles_found toggles_hit".
BEGIN { FS = "\n" }
/^C '/ {
    sp = match($0, /' [0-9]+$/)
    if (!sp) next
    key = substr($0, 4, sp - 4)
    cnt = substr($0, sp + 2) + 0
    n = split(key, kv, "\001")
    delete v
    for (i = 1; i <= n; i++) {
        p = index(kv[i], "\002")
        if (p) v[substr(kv[i], 1, p - 1)] = substr(kv[i], p + 1)
    }
    type = v["page"]; sub(/\/.*/, "", type)
    if (type != "v_line" && type != "v_branch" && type != "v_toggle") next
    pk = v["f"] SUBSEP v["l"] SUBSEP v["n"] SUBSEP type SUBSEP v["o"] SUBSEP v["S"]
    if (!(pk in sum)) { pfile[pk] = v["f"]; pline[pk] = v["l"]; ptype[pk] = type; pwhat[pk] = v["o"]; pspan[pk] = v["S"] }
    sum[pk] += cnt
}
function dirof(f,    d) { d = f; sub(/\/[^\/]*$/, "", d); return d }
function note(arr, f, l, c) { k = f SUBSEP l; if (!(k in arr) || c < arr[k]) arr[k] = c }
END {
    for (pk in sum) {
        f = pfile[pk]; c = sum[pk]
        if (ptype[pk] == "v_toggle") {
            note(tline, f, pline[pk], c)
            tfound[dirof(f)]++; if (c > 0) thit[dirof(f)]++
            dirs[dirof(f)] = 1
            if (c == 0) print f ":" pline[pk] ": toggle " pwhat[pk] | ("sort -t: -k1,1 -k2,2n > " unhit)
            continue
        }
        span = pspan[pk] != "" ? pspan[pk] : pline[pk]
        m = split(span, parts, ",")
        for (i = 1; i <= m; i++) {
            a = parts[i]; b = a
            if (index(a, "-")) { b = substr(a, index(a, "-") + 1); a = substr(a, 1, index(a, "-") - 1) }
            for (l = a + 0; l <= b + 0; l++) note(lline, f, l, c)
        }
        if (c == 0) print f ":" pline[pk] ": " (ptype[pk] == "v_line" ? "line" : "branch") " " pwhat[pk] (pspan[pk] != "" ? " (lines " pspan[pk] ")" : "") | ("sort -t: -k1,1 -k2,2n > " unhit)
    }
    close("sort -t: -k1,1 -k2,2n > " unhit)
    for (k in lline) {
        split(k, fl, SUBSEP); d = dirof(fl[1]); dirs[d] = 1
        lfound[d]++; if (lline[k] > 0) lhit[d]++
    }
    info(lline, line_info)
    info(tline, toggle_info)
    for (d in dirs) print d, lfound[d] + 0, lhit[d] + 0, tfound[d] + 0, thit[d] + 0
}
# An lcov tracefile: per file, DA:line,count (genhtml sorts them).
function info(arr, path,    k, fl, f, seen, hit, nl) {
    printf "" > path
    for (k in arr) { split(k, fl, SUBSEP); seen[fl[1]] = 1 }
    for (f in seen) {
        print "SF:" f >> path
        hit = 0; nl = 0
        for (k in arr) {
            split(k, fl, SUBSEP)
            if (fl[1] != f) continue
            print "DA:" fl[2] "," arr[k] >> path
            nl++; if (arr[k] > 0) hit++
        }
        print "LH:" hit >> path
        print "LF:" nl >> path
        print "end_of_record" >> path
    }
    close(path)
}
