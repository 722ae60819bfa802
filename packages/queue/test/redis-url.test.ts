import { describe, expect, it } from 'vitest';
import { backoffDelay, parseQueueUrl, redact } from '../src/index.js';

describe('parseQueueUrl', () => {
  it('reads host, port, user, password, prefix and db', () => {
    const t = parseQueueUrl('redis://worker:s%40cret@queue.lab:6380/team-a?db=2', {});
    expect(t).toMatchObject({ tls: false, host: 'queue.lab', port: 6380, username: 'worker', password: 's@cret', prefix: 'team-a', db: 2 });
    expect(t.display).toBe('redis://worker:***@queue.lab:6380/team-a?db=2');
  });

  it('defaults: port 6379, prefix rsmooth, db 0, no credentials', () => {
    expect(parseQueueUrl('redis://127.0.0.1', {})).toEqual({
      tls: false,
      host: '127.0.0.1',
      port: 6379,
      db: 0,
      prefix: 'rsmooth',
      display: 'redis://127.0.0.1',
    });
  });

  it('IPv6 hosts lose their brackets', () => {
    expect(parseQueueUrl('redis://[::1]:7000', {}).host).toBe('::1');
  });

  it('rediss:// is TLS, with a private CA and a client certificate', () => {
    const t = parseQueueUrl('rediss://:pw@q.lab:6380?ca=/etc/ca.pem&cert=/c.pem&key=/k.pem', {});
    expect(t).toMatchObject({ tls: true, ca: '/etc/ca.pem', cert: '/c.pem', key: '/k.pem', password: 'pw' });
    expect(t.username).toBeUndefined();
  });

  it('takes the password from RSMOOTH_QUEUE_PASSWORD when the URL has none (and the URL first)', () => {
    expect(parseQueueUrl('redis://worker@h:1', { RSMOOTH_QUEUE_PASSWORD: 'envpw' })).toMatchObject({ username: 'worker', password: 'envpw' });
    expect(parseQueueUrl('redis://:urlpw@h:1', { RSMOOTH_QUEUE_PASSWORD: 'envpw' }).password).toBe('urlpw');
  });

  it.each([
    ['http://h:1', /unknown scheme 'http:'/],
    ['redis://h:99999', /not a URL|port must be/],
    ['redis://h:1/3', /not a database number: write \?db=3/],
    ['redis://h:1/a b', /prefix 'a b' must be/],
    ['redis://h:1?ca=/x', /TLS option: use rediss:\/\//],
    ['redis://h:1?foo=1', /unknown option '\?foo='/],
    ['rediss://h:1?cert=/c', /needs both \?cert= and \?key=/],
    ['redis://h:1?db=x', /\?db= must be a database number/],
    ['not a url', /not a URL/],
  ])('refuses %s', (url, message) => {
    expect(() => parseQueueUrl(url, {})).toThrow(message);
    expect(() => parseQueueUrl(url, {})).toThrow(expect.objectContaining({ name: 'QueueError', code: 'RS_QUEUE_FAILED' }));
  });

  it('never puts the password in an error message', () => {
    expect(() => parseQueueUrl('redis://u:topsecret@h:1?bad=1', {})).toThrow(/redis:\/\/u:\*\*\*@h:1/);
    try {
      parseQueueUrl('redis://u:topsecret@h:1?bad=1', {});
    } catch (err) {
      expect((err as Error).message).not.toContain('topsecret');
    }
  });

  it('redact hides the password only', () => {
    expect(redact('rediss://user:p%3Aw@h:6379/x')).toBe('rediss://user:***@h:6379/x');
    expect(redact('redis://h:6379')).toBe('redis://h:6379');
  });
});

describe('backoffDelay', () => {
  it('doubles from 250 ms up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((a) => backoffDelay(a))).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
    expect(backoffDelay(3, 800)).toBe(800);
  });
});
