# The figure 'speedup' of a pimattn sweep (docs/plot.md), written by
#   pimattn plot --kind speedup --out docs/figures/gqa/speedup-llama31-405b --where lin=8192 --where model=llama31-405b --title 'llama31-405b: decode throughput, GPU+PIM over GPU only (prompt 8K, 128 tokens)' build/study/system   (pimattn 662804f-dirty)
# from build/study/system/results.csv (a system sweep): 40 ok rows in 5 series.
# Redraw the images: in this file's directory, gnuplot speedup-llama31-405b.gp (writes speedup-llama31-405b.png and speedup-llama31-405b.svg).
# Restyle by editing the settings and the plot command; the data are the datablocks $d1, ... (numbers
# as in results.csv, NaN for an empty cell). gnuplot -e "png_out='a.png'; svg_out='a.svg'" renames
# the outputs.
if (!exists("png_out")) png_out = 'speedup-llama31-405b.png'
if (!exists("svg_out")) svg_out = 'speedup-llama31-405b.svg'
if (strstrt(' '.GPVAL_TERMINALS.' ', ' pngcairo ') > 0) {
    set terminal pngcairo noenhanced size 1200,650 font 'sans,11'
} else {
    set terminal png noenhanced size 1200,650
}
set encoding utf8
set grid
set key outside right top vertical nobox
set offsets graph 0.04, graph 0.04, graph 0.08, 0
set title 'llama31-405b: decode throughput, GPU+PIM over GPU only (prompt 8K, 128 tokens)'
set logscale x 2
set xlabel 'batch (requests per replica)'
set ylabel 'decode throughput, GPU+PIM / GPU only (×)'
set yrange [0:*]

# $d1: set.pim.gemv=systolic set.pim.group=1; columns: batch gain_decode_tokens_per_s
$d1 << EOD
1 0.9611315924
2 0.936037325
4 0.94965477
8 0.9604896217
16 0.9426391895
32 0.9216091838
64 NaN
128 NaN
EOD

# $d2: set.pim.gemv=systolic set.pim.group=2; columns: batch gain_decode_tokens_per_s
$d2 << EOD
1 0.975580178
2 0.9673342933
4 0.9812932852
8 1.0005349
16 1.015940947
32 1.046315877
64 NaN
128 NaN
EOD

# $d3: set.pim.gemv=systolic set.pim.group=4; columns: batch gain_decode_tokens_per_s
$d3 << EOD
1 0.9807719965
2 0.9792780965
4 0.9933654987
8 1.018884351
16 1.055632156
32 1.120207851
64 NaN
128 NaN
EOD

# $d4: set.pim.gemv=systolic set.pim.group=8; columns: batch gain_decode_tokens_per_s
$d4 << EOD
1 0.9792333344
2 0.979411352
4 0.9935001808
8 1.019980612
16 1.065653345
32 1.150687688
64 NaN
128 NaN
EOD

# $d5: set.pim.gemv=tree set.pim.group=1; columns: batch gain_decode_tokens_per_s
$d5 << EOD
1 0.9611315924
2 0.936037325
4 0.94965477
8 0.9604896217
16 0.9426391895
32 0.9216091838
64 NaN
128 NaN
EOD

set output png_out
plot $d1 using 1:2 with linespoints lw 2 pt 7 lc 1 title 'set.pim.gemv=systolic set.pim.group=1', \
     $d2 using 1:2 with linespoints lw 2 pt 7 lc 2 title 'set.pim.gemv=systolic set.pim.group=2', \
     $d3 using 1:2 with linespoints lw 2 pt 7 lc 3 title 'set.pim.gemv=systolic set.pim.group=4', \
     $d4 using 1:2 with linespoints lw 2 pt 7 lc 4 title 'set.pim.gemv=systolic set.pim.group=8', \
     $d5 using 1:2 with linespoints lw 2 pt 7 lc 5 title 'set.pim.gemv=tree set.pim.group=1', \
     1 with lines dt 2 lw 1.5 lc rgb 'black' title 'no gain (1×)'
set terminal svg noenhanced size 1200,650 font 'sans,11' background rgb 'white'
set output svg_out
replot
unset output
