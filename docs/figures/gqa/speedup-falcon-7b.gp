# The figure 'speedup' of a pimattn sweep (docs/plot.md), written by
#   pimattn plot --kind speedup --out docs/figures/gqa/speedup-falcon-7b --where lin=8192 --where model=falcon-7b --title 'falcon-7b: decode throughput, GPU+PIM over GPU only (prompt 8K, 128 tokens)' build/study/system   (pimattn 662804f-dirty)
# from build/study/system/results.csv (a system sweep): 18 ok rows in 2 series.
# Redraw the images: in this file's directory, gnuplot speedup-falcon-7b.gp (writes speedup-falcon-7b.png and speedup-falcon-7b.svg).
# Restyle by editing the settings and the plot command; the data are the datablocks $d1, ... (numbers
# as in results.csv, NaN for an empty cell). gnuplot -e "png_out='a.png'; svg_out='a.svg'" renames
# the outputs.
if (!exists("png_out")) png_out = 'speedup-falcon-7b.png'
if (!exists("svg_out")) svg_out = 'speedup-falcon-7b.svg'
if (strstrt(' '.GPVAL_TERMINALS.' ', ' pngcairo ') > 0) {
    set terminal pngcairo noenhanced size 1200,650 font 'sans,11'
} else {
    set terminal png noenhanced size 1200,650
}
set encoding utf8
set grid
set key outside right top vertical nobox
set offsets graph 0.04, graph 0.04, graph 0.08, 0
set title 'falcon-7b: decode throughput, GPU+PIM over GPU only (prompt 8K, 128 tokens)'
set logscale x 2
set xlabel 'batch (requests per replica)'
set ylabel 'decode throughput, GPU+PIM / GPU only (×)'
set yrange [0:*]

# $d1: set.pim.gemv=systolic; columns: batch gain_decode_tokens_per_s
$d1 << EOD
1 0.7891646193
2 0.6720642607
4 0.6786552596
8 0.6472034834
16 0.5179277492
32 0.383555208
64 0.3295313313
128 0.2827993248
256 0.2826482621
EOD

# $d2: set.pim.gemv=tree; columns: batch gain_decode_tokens_per_s
$d2 << EOD
1 0.7891646193
2 0.6720642607
4 0.6786552596
8 0.6472034834
16 0.5179277492
32 0.383555208
64 0.3295313313
128 0.2827993248
256 0.2826482621
EOD

set output png_out
plot $d1 using 1:2 with linespoints lw 2 pt 7 lc 1 title 'set.pim.gemv=systolic', \
     $d2 using 1:2 with linespoints lw 2 pt 7 lc 2 title 'set.pim.gemv=tree', \
     1 with lines dt 2 lw 1.5 lc rgb 'black' title 'no gain (1×)'
set terminal svg noenhanced size 1200,650 font 'sans,11' background rgb 'white'
set output svg_out
replot
unset output
