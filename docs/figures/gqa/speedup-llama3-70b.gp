# The figure 'speedup' of a pimattn sweep (docs/plot.md), written by
#   pimattn plot --kind speedup --out docs/figures/gqa/speedup-llama3-70b --where lin=8192 --where model=llama3-70b --title 'llama3-70b: decode throughput, GPU+PIM over GPU only (prompt 8K, 128 tokens)' build/study/system   (pimattn 662804f-dirty)
# from build/study/system/results.csv (a system sweep): 40 ok rows in 5 series.
# Redraw the images: in this file's directory, gnuplot speedup-llama3-70b.gp (writes speedup-llama3-70b.png and speedup-llama3-70b.svg).
# Restyle by editing the settings and the plot command; the data are the datablocks $d1, ... (numbers
# as in results.csv, NaN for an empty cell). gnuplot -e "png_out='a.png'; svg_out='a.svg'" renames
# the outputs.
if (!exists("png_out")) png_out = 'speedup-llama3-70b.png'
if (!exists("svg_out")) svg_out = 'speedup-llama3-70b.svg'
if (strstrt(' '.GPVAL_TERMINALS.' ', ' pngcairo ') > 0) {
    set terminal pngcairo noenhanced size 1200,650 font 'sans,11'
} else {
    set terminal png noenhanced size 1200,650
}
set encoding utf8
set grid
set key outside right top vertical nobox
set offsets graph 0.04, graph 0.04, graph 0.08, 0
set title 'llama3-70b: decode throughput, GPU+PIM over GPU only (prompt 8K, 128 tokens)'
set logscale x 2
set xlabel 'batch (requests per replica)'
set ylabel 'decode throughput, GPU+PIM / GPU only (×)'
set yrange [0:*]

# $d1: set.pim.gemv=systolic set.pim.group=1; columns: batch gain_decode_tokens_per_s
$d1 << EOD
1 0.9277569031
2 0.8843958711
4 0.9089802932
8 0.9294680196
16 0.9027625315
32 0.8763564627
64 0.9575083339
128 0.9630178343
EOD

# $d2: set.pim.gemv=systolic set.pim.group=2; columns: batch gain_decode_tokens_per_s
$d2 << EOD
1 0.9540183532
2 0.9393230633
4 0.9652444319
8 1.000987193
16 1.028567267
32 1.079242536
64 1.246128446
128 1.337986283
EOD

# $d3: set.pim.gemv=systolic set.pim.group=4; columns: batch gain_decode_tokens_per_s
$d3 << EOD
1 0.9636234295
2 0.9610969206
4 0.9875421459
8 1.035401282
16 1.102880239
32 1.216536796
64 1.462974532
128 1.658954524
EOD

# $d4: set.pim.gemv=systolic set.pim.group=8; columns: batch gain_decode_tokens_per_s
$d4 << EOD
1 0.9607673988
2 0.9613424777
4 0.987793591
8 1.037491653
16 1.122399202
32 1.277492213
64 1.578094136
128 1.847502627
EOD

# $d5: set.pim.gemv=tree set.pim.group=1; columns: batch gain_decode_tokens_per_s
$d5 << EOD
1 0.9277569031
2 0.8843958711
4 0.9089802932
8 0.9294680196
16 0.9027625315
32 0.8763564627
64 0.9575083339
128 0.9630178343
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
