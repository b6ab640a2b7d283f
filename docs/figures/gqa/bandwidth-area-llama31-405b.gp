# The figure 'bandwidth-area' of a pimattn sweep (docs/plot.md), written by
#   pimattn plot --kind bandwidth-area --out docs/figures/gqa/bandwidth-area-llama31-405b --where model=llama31-405b --where ctx=8192 --where batch=4 --where acc=fp32 --title 'llama31-405b: useful bandwidth and bank-unit area against G (one AttAcc device, batch 4, context 8K, FP32 accumulation)' build/study/layer   (pimattn 662804f-dirty)
# from build/study/layer/results.csv (a run sweep): 6 ok rows in 2 series.
# Redraw the images: in this file's directory, gnuplot bandwidth-area-llama31-405b.gp (writes bandwidth-area-llama31-405b.png and bandwidth-area-llama31-405b.svg).
# Restyle by editing the settings and the plot command; the data are the datablocks $d1, ... (numbers
# as in results.csv, NaN for an empty cell). gnuplot -e "png_out='a.png'; svg_out='a.svg'" renames
# the outputs.
if (!exists("png_out")) png_out = 'bandwidth-area-llama31-405b.png'
if (!exists("svg_out")) svg_out = 'bandwidth-area-llama31-405b.svg'
if (strstrt(' '.GPVAL_TERMINALS.' ', ' pngcairo ') > 0) {
    set terminal pngcairo noenhanced size 1200,650 font 'sans,11'
} else {
    set terminal png noenhanced size 1200,650
}
set encoding utf8
set grid
set key outside right top vertical nobox
set offsets graph 0.04, graph 0.04, graph 0.08, 0
set title 'llama31-405b: useful bandwidth and bank-unit area against G (one AttAcc device, batch 4, context 8K, FP32 accumulation)'
set logscale x 2
set xlabel 'GEMV unit rows G (query heads per K/V burst; the tree unit: 1)'
set ylabel 'useful bandwidth, GB/s'
set y2label 'bank unit area, µm² (DRAM process)'
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]

# $d1: gemv=systolic; columns: gemv_group useful_gbs dram_bank_area_um2
$d1 << EOD
1 15939.85246 74359
2 31866.24498 145963
4 63002.06458 296140
8 98799.45206 588256
16 114778.7305 1172360
EOD

# $d2: gemv=tree; columns: gemv_group useful_gbs dram_bank_area_um2
$d2 << EOD
1 15939.85246 73953
EOD

set output png_out
plot $d1 using 1:2 with linespoints lw 2 pt 7 lc 1 title 'systolic', \
     $d1 using 1:3 axes x1y2 with linespoints dt 2 lw 2 pt 5 lc 1 title 'systolic area', \
     $d2 using 1:2 with linespoints lw 2 pt 7 lc 2 title 'tree', \
     $d2 using 1:3 axes x1y2 with linespoints dt 2 lw 2 pt 5 lc 2 title 'tree area'
set terminal svg noenhanced size 1200,650 font 'sans,11' background rgb 'white'
set output svg_out
replot
unset output
