import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  incompleteBeta,
  normalCdf,
  normalQuantile,
  normalSf,
  tCdf,
  tQuantile,
  tSf,
} from '../../src/analysis/distributions.js';

// Reference values from R 4.2.2 (printed with formatC(x, digits = 17)).

describe('normal distribution', () => {
  it('matches R qnorm (stats.md §9.1 and more)', () => {
    const cases: [number, number][] = [
      [0.999, 3.0902323061678132], // qnorm(0.999)
      [0.99999, 4.2648907939238399], // qnorm(0.99999)
      [1e-10, -6.3613409024040557], // qnorm(1e-10)
      [0.975, 1.9599639845400536], // qnorm(0.975)
      [0.6, 0.25334710313579978], // qnorm(0.6)
      [0.02, -2.0537489106318225], // qnorm(0.02)
      [1e-300, -37.047096299361201], // qnorm(1e-300)
    ];
    for (const [p, q] of cases) expect(Math.abs(normalQuantile(p) - q)).toBeLessThan(1e-12);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
  });

  it('matches R pnorm in both tails, to ~1e-14 relative', () => {
    const cases: [number, number][] = [
      [-20, 2.7536241186062337e-89], // pnorm(-20)
      [-8, 6.2209605742717849e-16], // pnorm(-8)
      [-5, 2.8665157187919391e-7], // pnorm(-5)
      [-1.96, 0.024997895148220428], // pnorm(-1.96)
      [-0.5, 0.30853753872598694], // pnorm(-0.5)
      [0.3, 0.61791142218895267], // pnorm(0.3)
      [1, 0.84134474606854293], // pnorm(1)
      [3, 0.9986501019683699], // pnorm(3)
    ];
    for (const [z, p] of cases) expect(Math.abs(normalCdf(z) / p - 1)).toBeLessThan(1e-13);
    // pnorm(7, lower.tail = FALSE): the upper tail keeps its digits.
    expect(Math.abs(normalSf(7) / 1.2798125438858352e-12 - 1)).toBeLessThan(1e-13);
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(-40)).toBeLessThan(1e-300);
  });

  it('round-trips quantile and CDF', () => {
    for (const p of [1e-12, 1e-6, 0.01, 0.3, 0.5, 0.77, 0.99, 0.999999]) {
      expect(Math.abs(normalCdf(normalQuantile(p)) / p - 1)).toBeLessThan(1e-13);
    }
  });
});

describe('Student t distribution', () => {
  it('matches the stats.md §9.1 values to 1e-9', () => {
    expect(Math.abs(tQuantile(0.975, 9.3) - 2.25108222468444)).toBeLessThan(1e-9);
    expect(Math.abs(tQuantile(0.9995, 2.5) - 18.2778935281315)).toBeLessThan(1e-9);
    expect(Math.abs(tCdf(2.1, 120.7) - 0.981094394778824)).toBeLessThan(1e-9);
  });

  it('matches R qt over a grid of non-integer df and tail probabilities', () => {
    // qt(p, df) for p in c(0.95, 0.975, 0.9995, 1e-6)
    const grid: [number, number[]][] = [
      [1, [6.3137515146750376, 12.706204736174694, 636.6192487687897, -318309.88618274347]],
      [2.5, [2.5582186141359453, 3.5746548420036919, 18.277893528131514, -220.17342917823751]],
      [9.3, [1.8264034277714569, 2.2510822246844402, 4.7169855886100809, -10.39481281251164]],
      [19, [1.7291328115213689, 2.0930240544083092, 3.8834058525921318, -6.7233942822001858]],
      [30, [1.6972608865939569, 2.0422724563012378, 3.6459586350420627, -5.8711171204188828]],
      [120.7, [1.6575761062996612, 1.9798134624794375, 3.3729620086599903, -4.9959669884612738]],
      [1e4, [1.6450060180692418, 1.9602012398906257, 3.2914999659416351, -4.7562296850567796]],
    ];
    const ps = [0.95, 0.975, 0.9995, 1e-6];
    for (const [df, qs] of grid) {
      qs.forEach((q, i) => {
        const got = tQuantile(ps[i]!, df);
        expect(Math.abs(got - q) / Math.max(1, Math.abs(q))).toBeLessThan(1e-10);
      });
    }
  });

  it('matches R pt in the far tails', () => {
    // [df, t, pt(t, df), pt(t, df, lower.tail = FALSE)]
    const cases: [number, number, number, number][] = [
      [1, -30, 0.010606402405535424, 0.98939359759446455],
      [1, 2.1, 0.85853697187849098, 0.14146302812150899],
      [2.5, -0.3, 0.39367118574759863, 0.60632881425240137],
      [2.5, 12, 0.99858189248496076, 0.0014181075150391613],
      [9.3, -30, 7.1172040325767933e-11, 0.99999999992882804],
      [9.3, 0.7, 0.74946927342924552, 0.25053072657075448],
      [9.3, 12, 0.99999971369621954, 2.8630378047934946e-7],
      [120.7, -2.1, 0.018905605221176156, 0.98109439477882376],
      [120.7, 12, 1, 1.277224961496563e-22],
      [1e4, -0.3, 0.3820916956146661, 0.61790830438533395],
      [1e4, 12, 1, 2.9898898039056803e-33],
    ];
    for (const [df, t, lower, upper] of cases) {
      expect(Math.abs(tCdf(t, df) / lower - 1)).toBeLessThan(1e-12);
      expect(Math.abs(tSf(t, df) / upper - 1)).toBeLessThan(1e-12);
    }
  });

  it('tends to the normal as df grows and handles infinite df', () => {
    expect(tQuantile(0.975, Infinity)).toBe(normalQuantile(0.975));
    expect(Math.abs(tQuantile(0.975, 1e7) - 1.959963984540054)).toBeLessThan(1e-6);
    expect(tQuantile(0.5, 3)).toBe(0);
    expect(tQuantile(0.2, 7)).toBeCloseTo(-tQuantile(0.8, 7), 14);
  });
});

describe('incomplete beta', () => {
  it('matches R pbeta', () => {
    // [x, a, b, pbeta(x, a, b)]
    const cases: [number, number, number, number][] = [
      [0.01, 0.5, 0.5, 0.06376856085851984],
      [0.9, 0.5, 3.7, 0.99994104015219953],
      [0.3, 2, 3.7, 0.43617386432301564],
      [0.01, 30, 0.5, 1.0307815466209284e-61],
      [0.3, 30, 100, 0.96405437573151342],
      [0.01, 2, 100, 0.26793531745354154],
    ];
    for (const [x, a, b, p] of cases) {
      expect(Math.abs(incompleteBeta(x, a, b).lower / p - 1)).toBeLessThan(1e-12);
    }
  });
});

describe('inference code paths', () => {
  it('never import the coarse simple-statistics normal/t helpers', () => {
    const banned =
      /\b(probit|cumulativeStdNormalProbability|tTestTwoSample|inverseErrorFunction|errorFunction)\b/;
    const files = [
      'distributions',
      'ratio',
      'hodges-lehmann',
      'sequential',
      'analyze',
      'calibrate',
    ];
    for (const file of files) {
      const source = readFileSync(
        new URL(`../../src/analysis/${file}.ts`, import.meta.url),
        'utf8',
      );
      const imports = [...source.matchAll(/import\s*{([^}]*)}\s*from\s*'simple-statistics'/g)];
      for (const [, names] of imports) expect(names).not.toMatch(banned);
    }
  });
});
