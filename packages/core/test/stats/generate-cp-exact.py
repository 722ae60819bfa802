"""Regenerates cp-exact.json: the exact one-sided Clopper-Pearson lower bounds
for every row of ../fixtures/oracle.json's `clopper_pearson_lower`, to 30
significant digits, with mpmath at 40 digits (independent of scipy/Boost).

The bound x solves I_x(k, n-k+1) = alpha; I is evaluated with the classic
continued fraction (Numerical Recipes `betacf`, modified Lentz) and an lgamma
prefactor in 40-digit arithmetic, and the root is found by Newton's method on
log I_x - log alpha. k = 0 gives 0, k = n gives alpha^(1/n).

Usage (from packages/core):  python3 test/stats/generate-cp-exact.py
"""
import json
import os

import mpmath as mp

mp.mp.dps = 40
HERE = os.path.dirname(os.path.abspath(__file__))


def _cf(a, b, x):
    tiny = mp.mpf('1e-300')
    eps = mp.mpf(10) ** (-35)
    qab, qap, qam = a + b, a + 1, a - 1
    c = mp.mpf(1)
    d = 1 - qab * x / qap
    d = tiny if abs(d) < tiny else d
    d = 1 / d
    h = d
    for m in range(1, 5_000_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + aa * d
        d = tiny if abs(d) < tiny else d
        c = 1 + aa / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + aa * d
        d = tiny if abs(d) < tiny else d
        c = 1 + aa / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        de = d * c
        h *= de
        if abs(de - 1) < eps:
            break
    return h


def lower_tail(x, a, b):
    y = 1 - x
    bt = mp.exp(mp.loggamma(a + b) - mp.loggamma(a) - mp.loggamma(b) + a * mp.log(x) + b * mp.log(y))
    if x < (a + 1) / (a + b + 2):
        return bt * _cf(a, b, x) / a
    return 1 - bt * _cf(b, a, y) / b


def cp_lower(k, n, alpha, x0):
    if k == 0:
        return mp.mpf(0)
    al = mp.mpf(alpha)
    if k == n:
        return al ** (1 / mp.mpf(n))
    a, b = mp.mpf(k), mp.mpf(n - k + 1)
    x = mp.mpf(x0)
    for _ in range(200):
        t = lower_tail(x, a, b)
        pdf = mp.exp(mp.loggamma(a + b) - mp.loggamma(a) - mp.loggamma(b) + (a - 1) * mp.log(x) + (b - 1) * mp.log(1 - x))
        step = (mp.log(t) - mp.log(al)) / (pdf / t)
        xn = x - step
        if xn <= 0:
            xn = x / 2
        if xn >= 1:
            xn = (1 + x) / 2
        x = xn
        if abs(step) < x * mp.mpf(10) ** -34:
            break
    return x


def main():
    with open(os.path.join(HERE, '..', 'fixtures', 'oracle.json')) as f:
        rows = json.load(f)['clopper_pearson_lower']
    out = [[k, n, alpha, mp.nstr(cp_lower(k, n, alpha, ref), 30)] for k, n, alpha, ref in rows]
    with open(os.path.join(HERE, 'cp-exact.json'), 'w') as f:
        f.write('[\n' + ',\n'.join(json.dumps(r) for r in out) + '\n]\n')


if __name__ == '__main__':
    main()
