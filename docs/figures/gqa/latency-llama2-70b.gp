# The figure 'latency' of a pimattn sweep (docs/plot.md), written by
#   pimattn plot --kind latency --out docs/figures/gqa/latency-llama2-70b --where lin=8192 --where model=llama2-70b --slo-ms 30 --slo-ms 50 --title 'llama2-70b: per-token latency (prompt 8K, 128 tokens)' build/study/system   (pimattn 662804f-dirty)
# from build/study/system/results.csv (a system sweep): 40 ok rows in 5 series.
# Redraw the images: in this file's directory, gnuplot latency-llama2-70b.gp (writes latency-llama2-70b.png and latency-llama2-70b.svg).
# Restyle by editing the settings and the plot command; the data are the datablocks $d1, ... (numbers
# as in results.csv, NaN for an empty cell). gnuplot -e "png_out='a.png'; svg_out='a.svg'" renames
# the outputs.
if (!exists("png_out")) png_out = 'latency-llama2-70b.png'
if (!exists("svg_out")) svg_out = 'latency-llama2-70b.svg'
if (strstrt(' '.GPVAL_TERMINALS.' ', ' pngcairo ') > 0) {
    set terminal pngcairo noenhanced size 1200,650 font 'sans,11'
} else {
    set terminal png noenhanced size 1200,650
}
set encoding utf8
set grid
set key outside right top vertical nobox
set offsets graph 0.04, graph 0.04, graph 0.08, 0
set title 'llama2-70b: per-token latency (prompt 8K, 128 tokens)'
set logscale x 2
set xlabel 'batch (requests per replica)'
set ylabel 'per-token latency, ms'
set yrange [0:*]

# $d1: set.pim.gemv=systolic set.pim.group=1; columns: batch gpu_per_token_ms pim_per_token_ms
$d1 << EOD
1 8.402821675 9.062525602
2 8.536478559 9.661373695
4 8.803792328 9.692281559
8 9.338419866 10.05231428
16 10.40767494 11.53616311
32 12.54618509 14.32610333
64 16.8232054 17.57286878
128 27.82685861 28.89935812
EOD

# $d2: set.pim.gemv=systolic set.pim.group=2; columns: batch gpu_per_token_ms pim_per_token_ms
$d2 << EOD
1 8.402821675 8.811154882
2 8.536478559 9.092375215
4 8.803792328 9.123283079
8 9.338419866 9.329141833
16 10.40767494 10.11668841
32 12.54618509 11.61989133
64 16.8232054 13.48660575
128 27.82685861 20.77202939
EOD

# $d3: set.pim.gemv=systolic set.pim.group=4; columns: batch gpu_per_token_ms pim_per_token_ms
$d3 << EOD
1 8.402821675 8.722638502
2 8.536478559 8.884817634
4 8.803792328 8.915725498
8 9.338419866 9.016763134
16 10.40767494 9.430346587
32 12.54618509 10.3006705
64 16.8232054 11.47724871
128 27.82685861 16.7335766
EOD

# $d4: set.pim.gemv=systolic set.pim.group=8; columns: batch gpu_per_token_ms pim_per_token_ms
$d4 << EOD
1 8.402821675 8.748773602
2 8.536478559 8.882530495
4 8.803792328 8.913438359
8 9.338419866 8.998456332
16 10.40767494 9.265143588
32 12.54618509 9.80586078
64 16.8232054 10.63491396
128 27.82685861 15.0155032
EOD

# $d5: set.pim.gemv=tree set.pim.group=1; columns: batch gpu_per_token_ms pim_per_token_ms
$d5 << EOD
1 8.402821675 9.062525602
2 8.536478559 9.661373695
4 8.803792328 9.692281559
8 9.338419866 10.05231428
16 10.40767494 11.53616311
32 12.54618509 14.32610333
64 16.8232054 17.57286878
128 27.82685861 28.89935812
EOD

set output png_out
plot $d1 using 1:2 with linespoints dt 2 lw 2 pt 6 lc 1 title 'set.pim.gemv=systolic set.pim.group=1, GPU only', \
     $d1 using 1:3 with linespoints dt 1 lw 2 pt 7 lc 1 title 'set.pim.gemv=systolic set.pim.group=1, GPU+PIM', \
     $d2 using 1:2 with linespoints dt 2 lw 2 pt 6 lc 2 title 'set.pim.gemv=systolic set.pim.group=2, GPU only', \
     $d2 using 1:3 with linespoints dt 1 lw 2 pt 7 lc 2 title 'set.pim.gemv=systolic set.pim.group=2, GPU+PIM', \
     $d3 using 1:2 with linespoints dt 2 lw 2 pt 6 lc 3 title 'set.pim.gemv=systolic set.pim.group=4, GPU only', \
     $d3 using 1:3 with linespoints dt 1 lw 2 pt 7 lc 3 title 'set.pim.gemv=systolic set.pim.group=4, GPU+PIM', \
     $d4 using 1:2 with linespoints dt 2 lw 2 pt 6 lc 4 title 'set.pim.gemv=systolic set.pim.group=8, GPU only', \
     $d4 using 1:3 with linespoints dt 1 lw 2 pt 7 lc 4 title 'set.pim.gemv=systolic set.pim.group=8, GPU+PIM', \
     $d5 using 1:2 with linespoints dt 2 lw 2 pt 6 lc 5 title 'set.pim.gemv=tree set.pim.group=1, GPU only', \
     $d5 using 1:3 with linespoints dt 1 lw 2 pt 7 lc 5 title 'set.pim.gemv=tree set.pim.group=1, GPU+PIM', \
     30 with lines dt 3 lw 1.5 lc rgb 'red' title 'SLO 30 ms', \
     50 with lines dt 4 lw 1.5 lc rgb 'red' title 'SLO 50 ms'
set terminal svg noenhanced size 1200,650 font 'sans,11' background rgb 'white'
set output svg_out
replot
unset output
