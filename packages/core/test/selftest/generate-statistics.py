# Reference values for test/selftest/statistics.test.ts (scipy; Debian python3-scipy):
#   python3 generate-statistics.py > statistics.json
import json

import scipy
from scipy import special, stats

gamma_q = [[a, x, float(special.gammaincc(a, x))] for a in (0.5, 1.0, 2.5, 10.0, 511.5) for x in (0.1, 1.0, 5.0, 20.0, 480.0, 511.0, 560.0)]
chi2 = [[s, df, float(stats.chi2.sf(s, df))] for df in (1, 10, 1023) for s in (0.5, 5.0, 20.0, 900.0, 1023.0, 1150.0)]
# Kolmogorov's limiting distribution: P(sqrt(n) D >= t) for large n
kolmogorov = [[t, float(stats.kstwobign.sf(t))] for t in (0.3, 0.5, 0.8, 1.0, 1.36, 1.63, 2.0, 3.0)]
log_gamma = [[x, float(special.gammaln(x))] for x in (0.1, 0.5, 1.0, 2.5, 10.0, 511.5, 1000.0)]
print(json.dumps({'scipy': scipy.__version__, 'gammaQ': gamma_q, 'chi2_sf': chi2, 'kolmogorov_sf': kolmogorov, 'log_gamma': log_gamma}))
