// What the component tests share: a clean mocked host around each test, and a way to let the
// page settle after an event (mocked IPC answers in later ticks).
import { afterEach, beforeAll } from "vitest";
import { cleanup } from "@testing-library/svelte";
import { clearMocks } from "@tauri-apps/api/mocks";
import { tick } from "svelte";

export async function settle() {
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setTimeout(r, 0));
    await tick();
  }
}

// Tauri's mocks need WebCrypto on `window`; every test starts without the last one's page or host.
export function cleanHostEachTest() {
  beforeAll(() => {
    Object.defineProperty(window, "crypto", { value: globalThis.crypto, configurable: true });
  });
  afterEach(() => {
    cleanup();
    clearMocks();
  });
}
