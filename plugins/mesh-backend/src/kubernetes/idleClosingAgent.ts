import https from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ClientRequest } from 'node:http';

/**
 * How long a kept-alive connection may sit idle when the server names no limit: under the idle
 * limits met in front of API servers (load balancers close at 60 s, kube-apiserver at 90 s).
 */
export const DEFAULT_IDLE_MS = 30_000;

/** The idle limit a server announces (`Keep-Alive: timeout=5`), in ms, if it announced one. */
export function announcedIdleMs(header: unknown): number | undefined {
  const seconds = /(?:^|,)\s*timeout=(\d+)/.exec(String(header ?? ''))?.[1];
  return seconds === undefined ? undefined : Number(seconds) * 1000;
}

/**
 * A keep-alive agent that closes its idle connections before the server would. Node's agent keeps
 * an idle connection until the server closes it, and honours the server's Keep-Alive hint only
 * when the agent is given a socket timeout (which applies to every socket it makes). A request
 * sent on a connection the server is closing meets ECONNRESET, and a write's outcome is then
 * unknown: the change is undone. Here an idle connection ends a second before the announced limit
 * (or after DEFAULT_IDLE_MS when none is announced), and a connection taken up again carries no
 * timeout while it is in use, so a quiet watch never depends on how Node treats a timeout on a
 * socket in use.
 */
export class IdleClosingAgent extends https.Agent {
  constructor(
    options: https.AgentOptions,
    private readonly idleMs = DEFAULT_IDLE_MS,
  ) {
    super({ ...options, keepAlive: true });
  }

  keepSocketAlive(socket: Duplex): boolean {
    const kept =
      (super.keepSocketAlive(socket) as unknown as boolean) !== false;
    const announced = announcedIdleMs(
      (socket as any)._httpMessage?.res?.headers?.['keep-alive'],
    );
    const idle = Math.min(
      this.idleMs,
      announced === undefined ? Infinity : announced - 1000,
    );
    if (!kept || idle <= 0) return false;
    // An idle socket that times out is destroyed by the agent, as it is in its free list.
    (socket as Socket).setTimeout(idle);
    return true;
  }

  reuseSocket(socket: Duplex, request: ClientRequest): void {
    (socket as Socket).setTimeout(0);
    super.reuseSocket(socket, request);
  }
}
