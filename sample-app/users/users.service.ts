import { Injectable, NotFoundException } from '@nestjs/common';
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

export interface User {
  id: string;
  username: string;
  roles: string[];
  salt: Buffer;
  passwordHash: Buffer;
}

/** The demo accounts (see README). Passwords are kept only as scrypt hashes. */
const SEED = [
  { id: '1', username: 'alice', password: 'alice-admin-pw', roles: ['admin'] },
  { id: '2', username: 'bob', password: 'bob-user-pw', roles: ['user'] },
  { id: '3', username: 'carol', password: 'carol-mod-pw', roles: ['moderator'] },
];

function hash(password: string, salt: Buffer): Buffer {
  return scryptSync(password, salt, 32);
}

@Injectable()
export class UsersService {
  private readonly users = new Map<string, User>();
  /** Compared against for unknown usernames, so both paths cost one scrypt. */
  private readonly decoy = { salt: randomBytes(16), passwordHash: randomBytes(32) };

  constructor() {
    for (const { password, ...user } of SEED) {
      const salt = randomBytes(16);
      this.users.set(user.id, { ...user, salt, passwordHash: hash(password, salt) });
    }
  }

  verifyPassword(username: unknown, password: unknown): User | undefined {
    if (typeof username !== 'string' || typeof password !== 'string' || password.length > 1024) return undefined;
    const user = [...this.users.values()].find((u) => u.username === username);
    const { salt, passwordHash } = user ?? this.decoy;
    const ok = timingSafeEqual(hash(password, salt), passwordHash);
    return ok && user ? user : undefined;
  }

  findById(id: string): User | undefined {
    return this.users.get(id);
  }

  delete(id: string): void {
    if (!this.users.delete(id)) throw new NotFoundException('User not found');
  }
}
