import type { FastifyRequest } from 'fastify';
import type { User } from '../model/accounts.js';
import { unauthenticated } from './errors.js';

/** The signed-in user (routes other than public ones always have one). */
export function userOf(request: FastifyRequest): User {
  if (!request.user) throw unauthenticated();
  return request.user;
}

/** The audit actor of a request. */
export function actorOf(request: FastifyRequest): string {
  return userOf(request).username;
}
