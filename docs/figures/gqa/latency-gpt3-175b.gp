# The figure 'latency' of a pimattn sweep (docs/plot.md), written by
#   pimattn plot --kind latency --out docs/figures/gqa/latency-gpt3-175b --where lin=8192 --where model=gpt3-175b --slo-ms 30 --slo-ms 50 --title 'gpt3-175b: per-token latency (prompt 8K, 128 tokens)' build/study/system   (pimattn 662804f-dirty)
# from build/study/system/results.csv (a system sweep): 8 ok rows in 2 series.
# Redraw the images: in this file's directory, gnuplot latency-gpt3-175b.gp (writes latency-gpt3-175b.png and latency-gpt3-175b.svg).
# Restyle by editing the settings and the plot command; the data are the datablocks $d1, ... (numbers
# as in results.csv, NaN for an empty cell). gnuplot -e "png_out='a.png'; svg_out='a.svg'" renames
# the outputs.
if (!exists("png_out")) png_out = 'latency-gpt3-175b.png'
if (!exists("svg_out")) svg_out = 'latency-gpt3-175b.svg'
if (strstrt(' '.GPVAL_TERMINALS.' ', ' pngcairo ') > 0) {
    set terminal pngcairo noenhanced size 1200,650 font 'sans,11'
} else {
    set terminal png noenhanced size 1200,650
}
set encoding utf8
set grid
set key outside right top vertical nobox
set offsets graph 0.04, graph 0.04, graph 0.08, 0
set title 'gpt3-175b: per-token latency (prompt 8K, 128 tokens)'
set logscale x 2
set xlabel 'batch (requests per replica)'
set ylabel 'per-token latency, ms'
set yrange [0:*]

# $d1: set.pim.gemv=systolic; columns: batch gpu_per_token_ms pim_per_token_ms
$d1 << EOD
1 19.74105617 18.5702456
2 21.47720465 18.84195519
4 24.94950162 19.50644689
8 31.89409555 20.66335353
EOD

# $d2: set.pim.gemv=tree; columns: batch gpu_per_token_ms pim_per_token_ms
$d2 << EOD
1 19.74105617 18.5702456
2 21.47720465 18.84195519
4 24.94950162 19.50644689
8 31.89409555 20.66335353
EOD

set output png_out
plot $d1 using 1:2 with linespoints dt 2 lw 2 pt 6 lc 1 title 'set.pim.gemv=systolic, GPU only', \
     $d1 using 1:3 with linespoints dt 1 lw 2 pt 7 lc 1 title 'set.pim.gemv=systolic, GPU+PIM', \
     $d2 using 1:2 with linespoints dt 2 lw 2 pt 6 lc 2 title 'set.pim.gemv=tree, GPU only', \
     $d2 using 1:3 with linespoints dt 1 lw 2 pt 7 lc 2 title 'set.pim.gemv=tree, GPU+PIM', \
     30 with lines dt 3 lw 1.5 lc rgb 'red' title 'SLO 30 ms', \
     50 with lines dt 4 lw 1.5 lc rgb 'red' title 'SLO 50 ms'
set terminal svg noenhanced size 1200,650 font 'sans,11' background rgb 'white'
set output svg_out
replot
unset output
