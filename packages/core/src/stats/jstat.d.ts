// Minimal types for the part of jstat (https://github.com/jstat/jstat, no published types) we use.
declare module 'jstat' {
  const jStat: {
    /** Inverse of the regularized incomplete beta function (Numerical Recipes' Halley iteration). */
    ibetainv(p: number, a: number, b: number): number;
  };
  export default jStat;
}
