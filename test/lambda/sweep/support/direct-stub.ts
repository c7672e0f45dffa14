/**
 * A stand-in for an aws-sdk-client-mock stub that the stateful fakes in test/fakes can be installed on
 * (`stub.on(Command).callsFake(fn)`), and clients whose `send` calls the installed fake directly.
 *
 * Why: sinon, under aws-sdk-client-mock, deep-compares every call's arguments with every registered
 * behaviour and records every call; at 100,000 calls that costs about half a millisecond per call, which
 * would dominate a 10,000-bucket sweep and the benchmark. The fakes, the adapters and the commands are the
 * same; only sinon is left out.
 */
import type { FakeStub } from '../../../fakes/call-log';

type Fake = (input: Record<string, unknown>, getClient: () => { config: { region: () => Promise<string | undefined> } }) => unknown;

export interface DirectClient {
  readonly config: { readonly region: () => Promise<string | undefined> };
  send(command: unknown): Promise<never>;
}

export class DirectStub {
  private readonly fakes = new Map<unknown, Fake>();

  /** The object to pass to a fake's `install`. */
  asStub(): FakeStub {
    const on = (command: unknown) => ({
      callsFake: (fake: Fake) => {
        this.fakes.set(command, fake);
        return undefined;
      },
    });
    return { on } as unknown as FakeStub;
  }

  /** A client in `region` whose calls go straight to the installed fakes. */
  client(region?: string): DirectClient {
    const config = { region: () => Promise.resolve(region) };
    return {
      config,
      send: async (command: unknown) => {
        const constructor = (command as { constructor: unknown }).constructor;
        const fake = this.fakes.get(constructor);
        if (fake === undefined) {
          throw new Error(`direct stub: no fake installed for ${(constructor as { name?: string }).name ?? 'this command'}`);
        }
        return (await fake((command as { input: Record<string, unknown> }).input, () => ({ config }))) as never;
      },
    };
  }
}
