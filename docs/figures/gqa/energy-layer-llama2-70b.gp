# The figure 'energy' of a pimattn sweep (docs/plot.md), written by
#   pimattn plot --kind energy --out docs/figures/gqa/energy-layer-llama2-70b --where model=llama2-70b --where ctx=8192 --where batch=16 --where acc=fp32 --title 'Llama-2-70B attention energy per token by part (one AttAcc device, batch 16, context 8K)' build/study/layer   (pimattn 662804f-dirty)
# from build/study/layer/results.csv (a run sweep): 5 ok rows, 5 bars.
# Redraw the images: in this file's directory, gnuplot energy-layer-llama2-70b.gp (writes energy-layer-llama2-70b.png and energy-layer-llama2-70b.svg).
# Restyle by editing the settings and the plot command; the data are the datablocks $d1, ... (numbers
# as in results.csv, NaN for an empty cell). gnuplot -e "png_out='a.png'; svg_out='a.svg'" renames
# the outputs.
if (!exists("png_out")) png_out = 'energy-layer-llama2-70b.png'
if (!exists("svg_out")) svg_out = 'energy-layer-llama2-70b.svg'
if (strstrt(' '.GPVAL_TERMINALS.' ', ' pngcairo ') > 0) {
    set terminal pngcairo noenhanced size 1200,650 font 'sans,11'
} else {
    set terminal png noenhanced size 1200,650
}
set encoding utf8
set grid
set key outside right top vertical nobox
set offsets graph 0.04, graph 0.04, graph 0.08, 0
set title 'Llama-2-70B attention energy per token by part (one AttAcc device, batch 16, context 8K)'
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border -1
set boxwidth 0.7
set key outside right top vertical noopaque nobox
set offsets 0, 0, graph 0.05, 0
set yrange [0:*]
set ylabel 'energy per token, mJ'
set xlabel 'gemv/group'
set xtics rotate by 45 right

# $d1: one bar per line: its label, then the parts dram_array ... softmax of mj_per_token_*
$d1 << EOD
"systolic/1" 96.84228505 2.224029696 3.435973837 3.815768064 0.09437184
"systolic/2" 48.39807386 2.224029696 1.717986918 3.815768064 0.09437184
"systolic/4" 24.17596826 2.224029696 0.8589934592 3.815768064 0.09437184
"systolic/8" 12.13412147 2.224029696 0.4294967296 3.815768064 0.09437184
"tree/1" 96.84228505 2.224029696 3.435973837 3.815768064 0.09437184
EOD

set output png_out
plot $d1 using 2:xtic(1) title 'DRAM array', \
     $d1 using 3 title 'column path', \
     $d1 using 4 title 'GEMV MACs', \
     $d1 using 5 title 'buffer-die transfers', \
     $d1 using 6 title 'softmax'
set terminal svg noenhanced size 1200,650 font 'sans,11' background rgb 'white'
set output svg_out
replot
unset output
