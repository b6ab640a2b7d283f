# The figure 'speedup' of a pimattn sweep (docs/plot.md), written by
#   pimattn plot --kind speedup --out docs/figures/gqa/speedup-llama2-70b --where lin=8192 --where model=llama2-70b --title 'llama2-70b: decode throughput, GPU+PIM over GPU only (prompt 8K, 128 tokens)' build/study/system   (pimattn 662804f-dirty)
# from build/study/system/results.csv (a system sweep): 40 ok rows in 5 series.
# Redraw the images: in this file's directory, gnuplot speedup-llama2-70b.gp (writes speedup-llama2-70b.png and speedup-llama2-70b.svg).
# Restyle by editing the settings and the plot command; the data are the datablocks $d1, ... (numbers
# as in results.csv, NaN for an empty cell). gnuplot -e "png_out='a.png'; svg_out='a.svg'" renames
# the outputs.
if (!exists("png_out")) png_out = 'speedup-llama2-70b.png'
if (!exists("svg_out")) svg_out = 'speedup-llama2-70b.svg'
if (strstrt(' '.GPVAL_TERMINALS.' ', ' pngcairo ') > 0) {
    set terminal pngcairo noenhanced size 1200,650 font 'sans,11'
} else {
    set terminal png noenhanced size 1200,650
}
set encoding utf8
set grid
set key outside right top vertical nobox
set offsets graph 0.04, graph 0.04, graph 0.08, 0
set title 'llama2-70b: decode throughput, GPU+PIM over GPU only (prompt 8K, 128 tokens)'
set logscale x 2
set xlabel 'batch (requests per replica)'
set ylabel 'decode throughput, GPU+PIM / GPU only (×)'
set yrange [0:*]

# $d1: set.pim.gemv=systolic set.pim.group=1; columns: batch gain_decode_tokens_per_s
$d1 << EOD
1 0.9272052895
2 0.8835677854
4 0.908330229
8 0.928982084
16 0.9021782065
32 0.8757569874
64 0.9573397269
128 0.9628884662
EOD

# $d2: set.pim.gemv=systolic set.pim.group=2; columns: batch gain_decode_tokens_per_s
$d2 << EOD
1 0.9536572432
2 0.938861228
4 0.9649807259
8 1.000994522
16 1.028763022
32 1.079716216
64 1.247400993
128 1.339631198
EOD

# $d3: set.pim.gemv=systolic set.pim.group=4; columns: batch gain_decode_tokens_per_s
$d3 << EOD
1 0.9633348525
2 0.9607938971
4 0.9874454221
8 1.035673193
16 1.103636526
32 1.217996935
64 1.4657873
128 1.662935502
EOD

# $d4: set.pim.gemv=systolic set.pim.group=8; columns: batch gain_decode_tokens_per_s
$d4 << EOD
1 0.9604570945
2 0.9610412893
4 0.9876987952
8 1.037780206
16 1.123315019
32 1.279457803
64 1.581884485
128 1.853208529
EOD

# $d5: set.pim.gemv=tree set.pim.group=1; columns: batch gain_decode_tokens_per_s
$d5 << EOD
1 0.9272052895
2 0.8835677854
4 0.908330229
8 0.928982084
16 0.9021782065
32 0.8757569874
64 0.9573397269
128 0.9628884662
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
