# The figure 'energy' of a pimattn sweep (docs/plot.md), written by
#   pimattn plot --kind energy --out docs/figures/gqa/energy-system-llama2-70b --where model=llama2-70b --where lin=2048 --where batch=64 --title 'Llama-2-70B energy per token, whole generation with its prefill (DGX A100, prompt 2K, 128 tokens, batch 64)' build/study/system   (pimattn 662804f-dirty)
# from build/study/system/results.csv (a system sweep): 5 ok rows, 10 bars.
# Redraw the images: in this file's directory, gnuplot energy-system-llama2-70b.gp (writes energy-system-llama2-70b.png and energy-system-llama2-70b.svg).
# Restyle by editing the settings and the plot command; the data are the datablocks $d1, ... (numbers
# as in results.csv, NaN for an empty cell). gnuplot -e "png_out='a.png'; svg_out='a.svg'" renames
# the outputs.
if (!exists("png_out")) png_out = 'energy-system-llama2-70b.png'
if (!exists("svg_out")) svg_out = 'energy-system-llama2-70b.svg'
if (strstrt(' '.GPVAL_TERMINALS.' ', ' pngcairo ') > 0) {
    set terminal pngcairo noenhanced size 1200,650 font 'sans,11'
} else {
    set terminal png noenhanced size 1200,650
}
set encoding utf8
set grid
set key outside right top vertical nobox
set offsets graph 0.04, graph 0.04, graph 0.08, 0
set title 'Llama-2-70B energy per token, whole generation with its prefill (DGX A100, prompt 2K, 128 tokens, batch 64)'
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border -1
set boxwidth 0.7
set key outside right top vertical noopaque nobox
set offsets 0, 0, graph 0.05, 0
set yrange [0:*]
set ylabel 'energy per token, mJ'
set xlabel 'set.pim.gemv/set.pim.group and the system'
set xtics rotate by 45 right

# $d1: one bar per line: its label, then the parts gpu_compute ... static of gpu_mj_per_token_* (GPU bars) or pim_mj_per_token_* (GPU+PIM bars)
$d1 << EOD
"systolic/1 GPU" 861.9950572 229.2729422 6.4856064 0 0 28.53337736 0
"systolic/1 GPU+PIM" 860.0037622 206.7606964 6.4856064 29.03044424 0.084957184 57.35942995 0
"systolic/2 GPU" 861.9950572 229.2729422 6.4856064 0 0 28.53337736 0
"systolic/2 GPU+PIM" 860.0037622 206.7606964 6.4856064 15.85231918 0.084957184 56.73445521 0
"systolic/4 GPU" 861.9950572 229.2729422 6.4856064 0 0 28.53337736 0
"systolic/4 GPU+PIM" 860.0037622 206.7606964 6.4856064 9.263256653 0.084957184 56.4373461 0
"systolic/8 GPU" 861.9950572 229.2729422 6.4856064 0 0 28.53337736 0
"systolic/8 GPU+PIM" 860.0037622 206.7606964 6.4856064 5.968699085 0.084957184 56.38651624 0
"tree/1 GPU" 861.9950572 229.2729422 6.4856064 0 0 28.53337736 0
"tree/1 GPU+PIM" 860.0037622 206.7606964 6.4856064 29.03044424 0.084957184 57.35942995 0
EOD

set output png_out
plot $d1 using 2:xtic(1) title 'GPU compute', \
     $d1 using 3 title 'GPU memory', \
     $d1 using 4 title 'NVLink', \
     $d1 using 5 title 'PIM DRAM', \
     $d1 using 6 title 'GPU-PIM link', \
     $d1 using 7 title 'DRAM refresh', \
     $d1 using 8 title 'static'
set terminal svg noenhanced size 1200,650 font 'sans,11' background rgb 'white'
set output svg_out
replot
unset output
