import { describe, expect, it } from 'vitest';
import {
  autoEndpointPath,
  compileRoute,
  endpointFor,
  isIdSegment,
  normalisePath,
} from '../../src/workload/index.js';

describe('automatic endpoint names', () => {
  it.each([
    ['/', '/'],
    ['', '/'],
    ['/users', '/users'],
    ['/users/', '/users'],
    ['//users///42/', '/users/:id'],
    ['/users/42', '/users/:id'],
    ['/users/42/orders/7', '/users/:id/orders/:id'],
    ['/orders/20240115', '/orders/:id'],
    ['/items/6ba7b810-9dad-11d1-80b4-00c04fd430c8', '/items/:id'],
    ['/items/6BA7B810-9DAD-11D1-80B4-00C04FD430C8/reviews', '/items/:id/reviews'],
    ['/commits/3f2a9c1', '/commits/:id'],
    ['/commits/3f2a9c1e5b7d', '/commits/:id'],
    ['/blobs/deadbeefdeadbeef', '/blobs/:id'],
    ['/blobs/DEADBEEF00112233', '/blobs/:id'],
    ['/customers/cus_9s6XKzkNRiz8i3', '/customers/:id'],
    ['/watch/dQw4w9WgXcQ', '/watch/:id'],
    ['/c/clh3am8gm000008l4dxyz1234', '/c/:id'],
    ['/images/123.png', '/images/:id.png'],
    ['/images/3f2a9c1e.webp', '/images/:id.webp'],
    // Names, not ids:
    ['/menu/cafe', '/menu/cafe'],
    ['/menu/deadbeef', '/menu/deadbeef'],
    ['/menu/facade', '/menu/facade'],
    ['/api/v2/users', '/api/v2/users'],
    ['/api/1.0/users', '/api/1.0/users'],
    ['/blog/how-to-bake-bread-2024', '/blog/how-to-bake-bread-2024'],
    ['/phones/iphone15promax', '/phones/iphone15promax'],
    ['/locale/en-US', '/locale/en-US'],
    ['/static/app.min.js', '/static/app.min.js'],
    ['/abc1234', '/:id'],
    ['/Abc1234', '/Abc1234'],
    ['/ab12', '/ab12'],
  ])('%s → %s', (path, name) => {
    expect(autoEndpointPath(path)).toBe(name);
  });

  it('hex needs 16 characters, or 7 with a digit, in one case', () => {
    expect(isIdSegment('abcdef0')).toBe(true);
    expect(isIdSegment('abcdef')).toBe(false);
    expect(isIdSegment('abcdefabcdefabcd')).toBe(true);
    expect(isIdSegment('abcdefabcdefabc')).toBe(false);
    expect(isIdSegment('AbCdEf01')).toBe(false);
  });

  it('normalises slashes', () => {
    expect(normalisePath('/a//b/')).toBe('/a/b');
    expect(normalisePath('/')).toBe('/');
  });
});

describe('endpointFor', () => {
  const routes = ['/users/:id', 'POST /items/:id', '/api/items/:id/reviews'].map((r) =>
    compileRoute(r),
  );

  it('upper-cases the method and ignores the query string', () => {
    expect(endpointFor('get', '/search?q=lamp&page=2').name).toBe('GET /search');
    expect(endpointFor('get', '/users/42?full=1').name).toBe('GET /users/:id');
  });

  it('uses the first matching route template', () => {
    expect(endpointFor('GET', '/users/alice', routes)).toEqual({
      name: 'GET /users/:id',
      source: 'route',
    });
    expect(endpointFor('GET', '/users/alice/', routes).name).toBe('GET /users/:id');
    expect(endpointFor('GET', '/api/items/lamp/reviews?x=1', routes).name).toBe(
      'GET /api/items/:id/reviews',
    );
  });

  it('a route with a method only matches that method', () => {
    expect(endpointFor('POST', '/items/lamp', routes).name).toBe('POST /items/:id');
    expect(endpointFor('GET', '/items/lamp', routes)).toEqual({
      name: 'GET /items/lamp',
      source: 'auto',
    });
  });

  it('a parameter matches exactly one non-empty segment', () => {
    expect(endpointFor('GET', '/users', routes).source).toBe('auto');
    expect(endpointFor('GET', '/users/a/b', routes).source).toBe('auto');
  });

  it('refuses a malformed template', () => {
    expect(() => compileRoute('users/:id')).toThrow(/not a route template/);
  });
});
