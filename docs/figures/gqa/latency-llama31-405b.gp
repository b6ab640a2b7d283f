# The figure 'latency' of a pimattn sweep (docs/plot.md), written by
#   pimattn plot --kind latency --out docs/figures/gqa/latency-llama31-405b --where lin=8192 --where model=llama31-405b --slo-ms 30 --slo-ms 50 --title 'llama31-405b: per-token latency (prompt 8K, 128 tokens)' build/study/system   (pimattn 662804f-dirty)
# from build/study/system/results.csv (a system sweep): 40 ok rows in 5 series.
# Redraw the images: in this file's directory, gnuplot latency-llama31-405b.gp (writes latency-llama31-405b.png and latency-llama31-405b.svg).
# Restyle by editing the settings and the plot command; the data are the datablocks $d1, ... (numbers
# as in results.csv, NaN for an empty cell). gnuplot -e "png_out='a.png'; svg_out='a.svg'" renames
# the outputs.
if (!exists("png_out")) png_out = 'latency-llama31-405b.png'
if (!exists("svg_out")) svg_out = 'latency-llama31-405b.svg'
if (strstrt(' '.GPVAL_TERMINALS.' ', ' pngcairo ') > 0) {
    set terminal pngcairo noenhanced size 1200,650 font 'sans,11'
} else {
    set terminal png noenhanced size 1200,650
}
set encoding utf8
set grid
set key outside right top vertical nobox
set offsets graph 0.04, graph 0.04, graph 0.08, 0
set title 'llama31-405b: per-token latency (prompt 8K, 128 tokens)'
set logscale x 2
set xlabel 'batch (requests per replica)'
set ylabel 'per-token latency, ms'
set yrange [0:*]

# $d1: set.pim.gemv=systolic set.pim.group=1; columns: batch gpu_per_token_ms pim_per_token_ms
$d1 << EOD
1 25.69305414 26.73208782
2 25.92741058 27.69912042
4 26.39612347 27.79549401
8 27.33354925 28.45793294
16 29.2084008 30.98576966
32 32.9581039 35.76147513
64 NaN 41.63822994
128 NaN 62.3410966
EOD

# $d2: set.pim.gemv=systolic set.pim.group=2; columns: batch gpu_per_token_ms pim_per_token_ms
$d2 << EOD
1 25.69305414 26.33617894
2 25.92741058 26.80294782
4 26.39612347 26.8993214
8 27.33354925 27.31893634
16 29.2084008 28.75009701
32 32.9581039 31.49919123
64 NaN 35.20236566
128 NaN 50.80879523
EOD

# $d3: set.pim.gemv=systolic set.pim.group=4; columns: batch gpu_per_token_ms pim_per_token_ms
$d3 << EOD
1 25.69305414 26.19676564
2 25.92741058 26.47604463
4 26.39612347 26.57241821
8 27.33354925 26.82693989
16 29.2084008 27.66910864
32 32.9581039 29.42141842
64 NaN 32.03762833
128 NaN 45.03660221
EOD

# $d4: set.pim.gemv=systolic set.pim.group=8; columns: batch gpu_per_token_ms pim_per_token_ms
$d4 << EOD
1 25.69305414 26.23792842
2 25.92741058 26.47244238
4 26.39612347 26.56881597
8 27.33354925 26.79810668
16 29.2084008 27.40891392
32 32.9581039 28.64209311
64 NaN 30.7109511
128 NaN 43.07390895
EOD

# $d5: set.pim.gemv=tree set.pim.group=1; columns: batch gpu_per_token_ms pim_per_token_ms
$d5 << EOD
1 25.69305414 26.73208782
2 25.92741058 27.69912042
4 26.39612347 27.79549401
8 27.33354925 28.45793294
16 29.2084008 30.98576966
32 32.9581039 35.76147513
64 NaN 41.63822994
128 NaN 62.3410966
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
