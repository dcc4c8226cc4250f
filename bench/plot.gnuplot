# authd vs reference requests/s per scenario (log scale), from bench/report.py's chart.dat.
#   gnuplot -e "datafile='bench/results/<run>/chart.dat'; outfile='docs/benchmarks.png'" bench/plot.gnuplot
if (!exists("datafile")) datafile = 'chart.dat'
if (!exists("outfile")) outfile = 'benchmarks.png'
set terminal pngcairo size 1100,560 font ",10" noenhanced
set output outfile
set title "authd vs @ackplus/nest-auth reference: requests/s per scenario (log scale, higher is better)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y 10
set yrange [1:*]
set format y "%.0f"
set ylabel "requests/s"
set grid ytics mytics
set xtics rotate by -30 scale 0
set key top right
plot datafile using 2:xtic(1) title "authd" lc rgb "#1f77b4", \
     '' using 3 title "reference (NestJS)" lc rgb "#ff7f0e", \
     '' using 0:($2*1.15):($2/$3 < 10 ? sprintf("%.1fx", $2/$3) : sprintf("%.0fx", $2/$3)) with labels offset -1.6,0.4 font ",8" notitle
