# Reference thresholds of the sound mode's discretized Gaussian (test/sound/discrete-gaussian.test.ts):
# floor(2^64 Phi((k + 1/2) h / sigma)) for grid step h = 1 / levels, from mpmath at 80 digits.
#   python3 generate-thresholds.py > thresholds.json
import json

import mpmath

mpmath.mp.dps = 80
cases = []
for sigma, levels in ((0.25, 255), (0.5, 255), (0.12, 100), (1.0, 16)):
    s = mpmath.mpf(sigma)  # the binary64 value of sigma, exactly
    rows = []
    for k in (0, 1, 2, 10, 63, 200, 573, int(9 * sigma * levels) - 1):
        x = (mpmath.mpf(2 * k + 1) / (2 * levels)) / s
        rows.append([k, str(int(mpmath.floor(mpmath.ncdf(x) * mpmath.mpf(2) ** 64)))])
    cases.append({'sigma': sigma, 'levels': levels, 'thresholds': rows})
print(json.dumps({'mpmath': mpmath.__version__, 'cases': cases}))
