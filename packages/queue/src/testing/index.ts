export { startRedisServer, findRedisServer, freeLoopbackPort, type RedisServer, type RedisServerOptions, type RedisTlsFiles } from './redis-server.js';
