# The figure 'speedup' of a pimattn sweep (docs/plot.md), written by
#   pimattn plot --kind speedup --out docs/figures/gqa/speedup-mistral-7b --where lin=8192 --where model=mistral-7b --title 'mistral-7b: decode throughput, GPU+PIM over GPU only (prompt 8K, 128 tokens)' build/study/system   (pimattn 662804f-dirty)
# from build/study/system/results.csv (a system sweep): 32 ok rows in 4 series.
# Redraw the images: in this file's directory, gnuplot speedup-mistral-7b.gp (writes speedup-mistral-7b.png and speedup-mistral-7b.svg).
# Restyle by editing the settings and the plot command; the data are the datablocks $d1, ... (numbers
# as in results.csv, NaN for an empty cell). gnuplot -e "png_out='a.png'; svg_out='a.svg'" renames
# the outputs.
if (!exists("png_out")) png_out = 'speedup-mistral-7b.png'
if (!exists("svg_out")) svg_out = 'speedup-mistral-7b.svg'
if (strstrt(' '.GPVAL_TERMINALS.' ', ' pngcairo ') > 0) {
    set terminal pngcairo noenhanced size 1200,650 font 'sans,11'
} else {
    set terminal png noenhanced size 1200,650
}
set encoding utf8
set grid
set key outside right top vertical nobox
set offsets graph 0.04, graph 0.04, graph 0.08, 0
set title 'mistral-7b: decode throughput, GPU+PIM over GPU only (prompt 8K, 128 tokens)'
set logscale x 2
set xlabel 'batch (requests per replica)'
set ylabel 'decode throughput, GPU+PIM / GPU only (×)'
set yrange [0:*]

# $d1: set.pim.gemv=systolic set.pim.group=1; columns: batch gain_decode_tokens_per_s
$d1 << EOD
1 1.003752919
2 1.007077285
4 1.02520663
8 1.111679539
16 1.215222735
32 1.341886141
64 1.59339291
128 1.757940017
EOD

# $d2: set.pim.gemv=systolic set.pim.group=2; columns: batch gain_decode_tokens_per_s
$d2 << EOD
1 1.011573278
2 1.032256557
4 1.077214013
8 1.189612218
16 1.375055446
32 1.661060809
64 2.153146285
128 2.475735722
EOD

# $d3: set.pim.gemv=systolic set.pim.group=4; columns: batch gain_decode_tokens_per_s
$d3 << EOD
1 1.011947559
2 1.042094218
4 1.102234862
8 1.231504228
16 1.463354697
32 1.875169483
64 2.606048717
128 3.10972643
EOD

# $d4: set.pim.gemv=tree set.pim.group=1; columns: batch gain_decode_tokens_per_s
$d4 << EOD
1 1.003752919
2 1.007077285
4 1.02520663
8 1.111679539
16 1.215222735
32 1.341886141
64 1.59339291
128 1.757940017
EOD

set output png_out
plot $d1 using 1:2 with linespoints lw 2 pt 7 lc 1 title 'set.pim.gemv=systolic set.pim.group=1', \
     $d2 using 1:2 with linespoints lw 2 pt 7 lc 2 title 'set.pim.gemv=systolic set.pim.group=2', \
     $d3 using 1:2 with linespoints lw 2 pt 7 lc 3 title 'set.pim.gemv=systolic set.pim.group=4', \
     $d4 using 1:2 with linespoints lw 2 pt 7 lc 4 title 'set.pim.gemv=tree set.pim.group=1', \
     1 with lines dt 2 lw 1.5 lc rgb 'black' title 'no gain (1×)'
set terminal svg noenhanced size 1200,650 font 'sans,11' background rgb 'white'
set output svg_out
replot
unset output
