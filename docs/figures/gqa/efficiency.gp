# The figure 'efficiency' of a pimattn sweep (docs/plot.md), written by
#   pimattn plot --kind efficiency --out docs/figures/gqa/efficiency --title 'Llama-2-70B attention layer: schedule efficiency against context (batch 10, one AttAcc device)' build/study/context   (pimattn 662804f-dirty)
# from build/study/context/results.csv (a run sweep): 30 ok rows in 5 series.
# Redraw the images: in this file's directory, gnuplot efficiency.gp (writes efficiency.png and efficiency.svg).
# Restyle by editing the settings and the plot command; the data are the datablocks $d1, ... (numbers
# as in results.csv, NaN for an empty cell). gnuplot -e "png_out='a.png'; svg_out='a.svg'" renames
# the outputs.
if (!exists("png_out")) png_out = 'efficiency.png'
if (!exists("svg_out")) svg_out = 'efficiency.svg'
if (strstrt(' '.GPVAL_TERMINALS.' ', ' pngcairo ') > 0) {
    set terminal pngcairo noenhanced size 1200,650 font 'sans,11'
} else {
    set terminal png noenhanced size 1200,650
}
set encoding utf8
set grid
set key outside right top vertical nobox
set offsets graph 0.04, graph 0.04, graph 0.08, 0
set title 'Llama-2-70B attention layer: schedule efficiency against context (batch 10, one AttAcc device)'
set logscale x 2
set xlabel 'context length, tokens'
set ylabel '% of the all-bank MAC peak'
set yrange [0:*]

# $d1: gemv=systolic group=1; columns: ctx pct_peak pct_dpath
$d1 << EOD
512 80.6087641 25.19023878
1024 81.66954672 17.86521335
2048 82.21047702 14.12992574
4096 80.02865609 11.87925364
8192 77.83742696 10.64183572
16384 76.51307597 10.0124533
EOD

# $d2: gemv=systolic group=2; columns: ctx pct_peak pct_dpath
$d2 << EOD
512 74.13127413 46.33204633
1024 78.20773931 34.21588595
2048 80.41884817 27.64397906
4096 81.57195964 24.21667552
8192 79.72490755 21.79977941
16384 77.69347496 20.33383915
EOD

# $d3: gemv=systolic group=4; columns: ctx pct_peak pct_dpath
$d3 << EOD
512 46.70112496 58.3764062
1024 66.24973043 57.96851413
2048 73.58965146 50.59288538
4096 77.90528118 46.2562607
8192 80.25864603 43.89144705
16384 79.09244509 41.39995173
EOD

# $d4: gemv=systolic group=8; columns: ctx pct_peak pct_dpath
$d4 << EOD
512 21.36300417 53.40751043
1024 30.21243116 52.87175452
2048 38.11414392 52.40694789
4096 43.84813017 52.06965458
8192 47.41472449 51.85985492
16384 48.97471154 51.27040115
EOD

# $d5: gemv=tree group=1; columns: ctx pct_peak pct_dpath
$d5 << EOD
512 80.6087641 25.19023878
1024 81.66954672 17.86521335
2048 82.21047702 14.12992574
4096 80.02865609 11.87925364
8192 77.83742696 10.64183572
16384 76.51307597 10.0124533
EOD

set output png_out
plot $d1 using 1:2 with linespoints lw 2 pt 7 lc 1 title 'gemv=systolic group=1', \
     $d1 using 1:3 with linespoints dt 3 lw 2 pt 1 lc 1 title 'gemv=systolic group=1, data path share, %', \
     $d2 using 1:2 with linespoints lw 2 pt 7 lc 2 title 'gemv=systolic group=2', \
     $d2 using 1:3 with linespoints dt 3 lw 2 pt 1 lc 2 title 'gemv=systolic group=2, data path share, %', \
     $d3 using 1:2 with linespoints lw 2 pt 7 lc 3 title 'gemv=systolic group=4', \
     $d3 using 1:3 with linespoints dt 3 lw 2 pt 1 lc 3 title 'gemv=systolic group=4, data path share, %', \
     $d4 using 1:2 with linespoints lw 2 pt 7 lc 4 title 'gemv=systolic group=8', \
     $d4 using 1:3 with linespoints dt 3 lw 2 pt 1 lc 4 title 'gemv=systolic group=8, data path share, %', \
     $d5 using 1:2 with linespoints lw 2 pt 7 lc 5 title 'gemv=tree group=1', \
     $d5 using 1:3 with linespoints dt 3 lw 2 pt 1 lc 5 title 'gemv=tree group=1, data path share, %', \
     100 with lines dt 2 lw 1.5 lc rgb 'black' title 'MAC bound', \
     82.75862069 with lines dt 4 lw 1.5 lc rgb 'gray40' title 'row-switch ceiling'
set terminal svg noenhanced size 1200,650 font 'sans,11' background rgb 'white'
set output svg_out
replot
unset output
