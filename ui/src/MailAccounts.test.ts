// Component tests of the mail accounts in a provider's detail, with the host mocked at the IPC
// boundary, in English and German. "Test connection" steps arrive through the real Channel:
// the mock delivers them the way the host does, by running the channel's callback.
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { Channel } from "@tauri-apps/api/core";
import { tick } from "svelte";
import MailAccounts from "./MailAccounts.svelte";
import type { CheckStep } from "./bindings/CheckStep";
import type { CheckSummary } from "./bindings/CheckSummary";
import type { MailAccount } from "./bindings/MailAccount";
import type { NewMail } from "./bindings/NewMail";
import type { PresetSummary } from "./bindings/PresetSummary";
import type { RoundtripView } from "./bindings/RoundtripView";
import { initI18n, type Lang } from "./i18n";

type Texts = {
  imapAccount: string[];
  smtpAccount: string[];
  remove: (host: string) => string;
  host: string;
  port: string;
  kind: string;
  tls: string;
  username: string;
  password: string;
  caFile: string;
  save: string;
  test: string;
  steps: string[];
  works: string;
  authFailed: string;
  why: string;
  keychain: string;
  hostError: string;
  notSaved: string;
  plaintext: RegExp;
  needPort: string;
  use: string;
  edit: (host: string) => string;
  editTitle: string;
  cancel: string;
  failedSave: RegExp;
  saveAnyway: string;
  keepEditing: string;
  statusDown: string;
  notYet: string;
  pick: string;
};

const texts: Record<Lang, Texts> = {
  en: {
    imapAccount: ["Receive mail (IMAP)", "sslin.df.eu:993", "Encrypted from the first byte (SSL/TLS)", "login as info@example.com"],
    smtpAccount: ["Send mail (SMTP)", "mail.example.com:587", "Encrypted after connecting (STARTTLS)", "without login"],
    remove: (host) => `Remove ${host}`,
    host: "Server name (e.g. imap.your-provider.com)",
    port: "Port (usually leave empty)",
    kind: "What should be checked?",
    tls: "Encryption (as set in your mail program)",
    username: "User name or email address (optional)",
    password: "Password",
    caFile: "The server's own root certificate (CA file in PEM format)",
    save: "Save",
    test: "Test connection",
    steps: ["✓ Look up the server name (DNS) · 3 ms · OK", "✓ Connect · 12 ms · OK", "✓ Negotiate encryption (TLS) · 40 ms · OK", "✓ The server's greeting · 5 ms · OK"],
    works: "Connection works · 80 ms · certificate valid 41 more days",
    authFailed: "Connection failed: the server refused the login. Please check the username and password.",
    why: "Why?",
    keychain: "Stored in your system's keychain, never in the config file.",
    hostError: "The password could not be stored in your system's keychain.",
    notSaved: "Not saved. Please check what you entered.",
    plaintext: /password would travel over the network in plain text/,
    needPort: "Without TLS there is no standard port: please enter one.",
    use: "Use Receive mail (POP3) pop.df.eu:1995",
    edit: (host) => `Edit ${host}`,
    editTitle: "Edit the mail account sslin.df.eu:993",
    cancel: "Cancel",
    failedSave: /The test failed\. If you save anyway/,
    saveAnyway: "Save anyway",
    keepEditing: "Keep editing",
    statusDown: "does not answer: the server refused the connection., checked",
    notYet: "not checked yet",
    pick: "Choose file …",
  },
  de: {
    imapAccount: ["Posteingang abrufen (IMAP)", "sslin.df.eu:993", "Verschlüsselt ab dem ersten Byte (SSL/TLS)", "Anmeldung als info@example.com"],
    smtpAccount: ["Mail versenden (SMTP)", "mail.example.com:587", "Verschlüsselt nach dem Verbindungsaufbau (STARTTLS)", "ohne Anmeldung"],
    remove: (host) => `${host} entfernen`,
    host: "Servername (z. B. imap.ihr-anbieter.de)",
    port: "Port (meist leer lassen)",
    kind: "Was soll geprüft werden?",
    tls: "Verschlüsselung (wie im Mailprogramm eingestellt)",
    username: "Benutzername bzw. E-Mail-Adresse (optional)",
    password: "Passwort",
    caFile: "Eigenes Stammzertifikat des Servers (CA-Datei im PEM-Format)",
    save: "Speichern",
    test: "Verbindung testen",
    steps: [
      "✓ Servernamen nachschlagen (DNS) · 3 ms · OK",
      "✓ Verbindungsaufbau · 12 ms · OK",
      "✓ Verschlüsselung aushandeln (TLS) · 40 ms · OK",
      "✓ Begrüßung des Servers · 5 ms · OK",
    ],
    works: "Verbindung funktioniert · 80 ms · Zertifikat noch 41 Tage gültig",
    authFailed:
      "Verbindung fehlgeschlagen: Der Server hat die Anmeldung abgelehnt. Bitte prüfen Sie Benutzername und Passwort.",
    why: "Warum?",
    keychain: "Wird im Schlüsselbund Ihres Systems gespeichert, nie in der Konfigurationsdatei.",
    hostError: "Das Passwort konnte nicht im Schlüsselbund Ihres Systems gespeichert werden.",
    notSaved: "Nicht gespeichert. Bitte prüfen Sie Ihre Angaben.",
    plaintext: /ginge das Passwort im Klartext über das Netz/,
    needPort: "Ohne TLS gibt es keinen Standardport: Bitte geben Sie einen an.",
    use: "Posteingang abrufen (POP3) pop.df.eu:1995 übernehmen",
    edit: (host) => `${host} bearbeiten`,
    editTitle: "Mailkonto sslin.df.eu:993 bearbeiten",
    cancel: "Abbrechen",
    failedSave: /Der Test ist fehlgeschlagen\. Wenn Sie trotzdem speichern/,
    saveAnyway: "Trotzdem speichern",
    keepEditing: "Weiter bearbeiten",
    statusDown: "antwortet nicht: Der Server hat die Verbindung abgelehnt., geprüft",
    notYet: "noch nicht geprüft",
    pick: "Datei auswählen …",
  },
};

const presets: PresetSummary[] = [
  {
    id: "domainfactory",
    name: "DomainFactory",
    aliases: ["DF"],
    status_page: null,
    status_note: null,
    mail_note: null,
    status_verified: true,
    mail: ["imap sslin.df.eu:993 implicit", "smtp sslout.df.eu:465 implicit", "pop3 pop.df.eu:1995 starttls"],
  },
];

const steps: CheckStep[] = [
  { name: "dns", millis: 3, ok: true },
  { name: "connect", millis: 12, ok: true },
  { name: "tls", millis: 40, ok: true },
  { name: "greeting", millis: 5, ok: true },
];

function summary(over: Partial<CheckSummary>): CheckSummary {
  return {
    id: "df/imap/imap.example.com:993",
    kind: "imap",
    target: "imap.example.com:993",
    outcome: "up",
    reason: null,
    message: "",
    latency_ms: null,
    cert_days_left: null,
    at: null,
    steps: [],
    transcript: [],
    ...over,
  };
}

/// What the mocked host holds and was asked.
let accounts: MailAccount[];
let removed: Array<{ providerId: string; checkId: string }>;
let added: Array<{ mail: NewMail; password: string | null }>;
let edits: Array<{ checkId: string; mail: NewMail; password: string | null }>;
let editError: string | null;
let tested: Array<{ mail: NewMail; password: string | null }>;
let addError: string | null;
let testError: string | null;
/// The running "test_mail": its channel, how far it got, and how to end it.
// The round trips the mocked resident has written, and what the window asked of them.
let trips: RoundtripView[];
let tripCalls: Array<Record<string, unknown>>;
let running: { channel: Channel<CheckStep>; next: number; resolve: (s: CheckSummary) => void } | null;

function host() {
  accounts = [
    {
      check_id: "df/imap/sslin.df.eu:993",
      kind: "imap",
      host: "sslin.df.eu",
      port: 993,
      tls: "implicit",
      username: "info@example.com",
      ca_file: "/etc/ssl/df.pem",
    },
    {
      check_id: "df/smtp/mail.example.com:587",
      kind: "smtp",
      host: "mail.example.com",
      port: 587,
      tls: "starttls",
      username: null,
      ca_file: null,
    },
  ];
  removed = [];
  added = [];
  edits = [];
  editError = null;
  tested = [];
  addError = null;
  testError = null;
  running = null;
  trips = [];
  tripCalls = [];
  mockIPC((cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    if (cmd === "provider_roundtrips") return trips;
    if (cmd === "add_roundtrip") {
      tripCalls.push({ cmd, ...a });
      trips = [
        {
          check_id: "df/roundtrip/mail.example.com/info@example.com",
          to: "info@example.com",
          route: "mail.example.com → mail.example.com",
          removed: false,
          interval_s: 900,
          warn_after_s: 300,
          fail_after_s: 1800,
          last_delivery: null,
          on_the_way: [],
          days: [],
          recent: [],
          trouble: [],
        },
      ];
      return null;
    }
    if (cmd === "remove_roundtrip") {
      tripCalls.push({ cmd, ...a });
      trips = [];
      return null;
    }
    if (cmd === "mail_accounts") {
      if (a.providerId !== "df") throw new Error("no provider");
      return accounts;
    }
    if (cmd === "catalog") return presets;
    if (cmd === "remove_mail") {
      removed.push(a as (typeof removed)[number]);
      accounts = accounts.filter((m) => m.check_id !== a.checkId);
      return null;
    }
    if (cmd === "add_mail") {
      if (addError) throw addError;
      const mail = a.mail as NewMail;
      added.push({ mail, password: a.password as string | null });
      accounts = [
        ...accounts,
        {
          check_id: `df/${mail.kind}/${mail.host}:${mail.port ?? 993}`,
          kind: mail.kind,
          host: mail.host,
          port: mail.port ?? 993,
          tls: mail.tls,
          username: mail.username,
          ca_file: mail.ca_file,
        },
      ];
      return null;
    }
    if (cmd === "edit_mail") {
      if (editError) throw editError;
      const mail = a.mail as NewMail;
      edits.push({ checkId: a.checkId as string, mail, password: a.password as string | null });
      accounts = accounts.map((m) =>
        m.check_id === a.checkId
          ? { ...m, check_id: `df/${mail.kind}/${mail.host}:${mail.port ?? 993}`, host: mail.host, port: mail.port ?? 993 }
          : m,
      );
      return null;
    }
    if (cmd === "pick_file") return "/home/me/my-ca.pem";
    if (cmd === "test_mail") {
      tested.push({ mail: a.mail as NewMail, password: a.password as string | null });
      if (testError) throw testError;
      return new Promise<CheckSummary>((resolve) => {
        running = { channel: a.onStep as Channel<CheckStep>, next: 0, resolve };
      });
    }
    throw new Error(`unexpected command ${cmd}`);
  });
}

/// Sends one step through the channel as the host does: the callback with an index.
function push(step: CheckStep) {
  if (!running) throw new Error("no test is running");
  const internals = (window as unknown as { __TAURI_INTERNALS__: { runCallback(id: number, data: unknown): void } })
    .__TAURI_INTERNALS__;
  internals.runCallback(running.channel.id, { index: running.next++, message: step });
}

async function settle() {
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setTimeout(r, 0));
    await tick();
  }
}

// Renders the accounts of `df` with the add dialog opened (as "+ Add a mail account" does).
async function show(lang: Lang, preset: string | null = "domainfactory", checks: CheckSummary[] = []) {
  host();
  await initI18n(lang);
  render(MailAccounts, { providerId: "df", providerName: "DomainFactory", preset, checks, lang });
  await settle();
  await openAdd();
}

async function openAdd() {
  await fireEvent.click(screen.getByTestId("add-mail"));
  await settle();
}

const input = (label: string) => screen.getByLabelText(label) as HTMLInputElement;
const select = (label: string) => screen.getByLabelText(label) as HTMLSelectElement;
const shownSteps = () => [...document.querySelectorAll(".steps li")].map((li) => li.textContent?.replace(/\s+/g, " ").trim());
const button = (name: string) => screen.getByRole("button", { name }) as HTMLButtonElement;

async function choose(label: string, value: string) {
  const s = select(label);
  const option = [...s.options].find((o) => o.value === value);
  if (!option) throw new Error(`no option ${value}`);
  option.selected = true;
  await fireEvent.change(s);
}

beforeAll(() => {
  Object.defineProperty(window, "crypto", { value: globalThis.crypto, configurable: true });
});

afterEach(() => {
  cleanup();
  clearMocks();
});

describe.each(["en", "de"] as const)("mail accounts (%s)", (lang) => {
  const x = texts[lang];

  it("lists the configured endpoints and removes one", async () => {
    await show(lang);
    const items = screen.getAllByTestId("mail-account").map((li) => li.textContent ?? "");
    expect(items).toHaveLength(2);
    for (const part of x.imapAccount) expect(items[0]).toContain(part);
    for (const part of x.smtpAccount) expect(items[1]).toContain(part);

    await fireEvent.click(button(x.remove("sslin.df.eu:993")));
    await settle();
    expect(removed).toEqual([{ providerId: "df", checkId: "df/imap/sslin.df.eu:993" }]);
    expect(screen.getAllByTestId("mail-account")).toHaveLength(1);

    await fireEvent.click(button(x.remove("mail.example.com:587")));
    await settle();
    expect(removed[1]).toEqual({ providerId: "df", checkId: "df/smtp/mail.example.com:587" });
    expect(screen.queryAllByTestId("mail-account")).toHaveLength(0);
  });

  it("edits an endpoint in place: the form starts from it, an empty password keeps the stored one", async () => {
    await show(lang);
    await fireEvent.click(button(x.edit("sslin.df.eu:993")));
    await settle();
    expect(screen.getByRole("heading", { name: x.editTitle })).toBeTruthy();
    expect(input(x.host).value).toBe("sslin.df.eu");
    expect(input(x.port).value).toBe("");
    expect(input(x.username).value).toBe("info@example.com");
    expect(input(x.password).value).toBe("");
    expect(input(x.caFile).value).toBe("/etc/ssl/df.pem");
    // A test would probe it as a second endpoint: while editing, only Save and Cancel.
    expect(screen.queryByRole("button", { name: x.test })).toBeNull();

    await fireEvent.input(input(x.host), { target: { value: "imap.df.eu" } });
    await fireEvent.input(input(x.port), { target: { value: "1993" } });
    await fireEvent.click(button(x.save));
    await settle();
    expect(edits).toEqual([
      {
        checkId: "df/imap/sslin.df.eu:993",
        mail: {
          provider_id: "df",
          kind: "imap",
          host: "imap.df.eu",
          port: 1993,
          tls: "implicit",
          username: "info@example.com",
          ca_file: "/etc/ssl/df.pem",
        },
        password: null,
      },
    ]);
    expect(added).toEqual([]);
    const items = screen.getAllByTestId("mail-account").map((li) => li.textContent ?? "");
    expect(items).toHaveLength(2);
    expect(items[0]).toContain("imap.df.eu:1993");
    // The dialog closed.
    expect(screen.queryByRole("heading", { name: x.editTitle })).toBeNull();
    expect(screen.queryByLabelText(x.host)).toBeNull();

    // A new password goes with the edit; a refused edit keeps the form and says why.
    await fireEvent.click(button(x.edit("imap.df.eu:1993")));
    await settle();
    await fireEvent.input(input(x.password), { target: { value: "new-secret" } });
    editError = "lists imap imap.df.eu:1993 twice";
    await fireEvent.click(button(x.save));
    await settle();
    const refused = screen.getAllByRole("alert").find((a) => a.textContent?.includes(x.notSaved));
    expect(refused?.textContent).toContain(editError);
    expect(input(x.password).value).toBe("new-secret");
    editError = null;
    await fireEvent.click(button(x.save));
    await settle();
    expect(edits[1].password).toBe("new-secret");

    // Cancel leaves the account as it was.
    await fireEvent.click(button(x.edit("mail.example.com:587")));
    await settle();
    await fireEvent.input(input(x.host), { target: { value: "changed.example.com" } });
    await fireEvent.click(button(x.cancel));
    await settle();
    expect(edits).toHaveLength(2);
    expect(screen.queryByLabelText(x.host)).toBeNull();
    await openAdd();
    expect(input(x.host).value).toBe("");
    expect(screen.getByRole("button", { name: x.test })).toBeTruthy();
  });

  it("adds an endpoint: empty port and username are null, the password goes only with a username", async () => {
    await show(lang);
    expect(screen.queryByLabelText(x.password)).toBeNull();
    expect(input(x.port).placeholder).toBe("993");
    await fireEvent.input(input(x.host), { target: { value: " imap.example.com " } });
    await fireEvent.click(button(x.save));
    await settle();
    expect(added).toEqual([
      {
        mail: { provider_id: "df", kind: "imap", host: "imap.example.com", port: null, tls: "implicit", username: null, ca_file: null },
        password: null,
      },
    ]);
    // The list is read again after saving; the dialog closed, and opens empty.
    expect(screen.getAllByTestId("mail-account")).toHaveLength(3);
    await openAdd();
    expect(input(x.host).value).toBe("");

    // A second one with everything given.
    await choose(x.kind, "smtp");
    await choose(x.tls, "starttls");
    expect(input(x.port).placeholder).toBe("587");
    await fireEvent.input(input(x.host), { target: { value: "smtp.example.com" } });
    await fireEvent.input(input(x.port), { target: { value: "2525" } });
    await fireEvent.input(input(x.username), { target: { value: "me@example.com" } });
    expect(screen.getByText(x.keychain, { exact: false })).toBeTruthy();
    await fireEvent.input(input(x.password), { target: { value: "hunter2" } });
    expect(input(x.password).type).toBe("password");
    await fireEvent.input(input(x.caFile), { target: { value: "/etc/ssl/mine.pem" } });
    await fireEvent.click(button(x.save));
    await settle();
    expect(added[1]).toEqual({
      mail: {
        provider_id: "df",
        kind: "smtp",
        host: "smtp.example.com",
        port: 2525,
        tls: "starttls",
        username: "me@example.com",
        ca_file: "/etc/ssl/mine.pem",
      },
      password: "hunter2",
    });

    // A password typed and its username removed again: the password is not sent.
    await openAdd();
    await fireEvent.input(input(x.host), { target: { value: "pop.example.com" } });
    await fireEvent.input(input(x.username), { target: { value: "me@example.com" } });
    await fireEvent.input(input(x.password), { target: { value: "secret" } });
    await fireEvent.input(input(x.username), { target: { value: "  " } });
    expect(screen.queryByLabelText(x.password)).toBeNull();
    await fireEvent.click(button(x.save));
    await settle();
    expect(added[2].mail.username).toBeNull();
    expect(added[2].password).toBeNull();
  });

  it("warns about no TLS and asks for a port instead of sending an endpoint without one", async () => {
    await show(lang);
    expect(screen.queryByTestId("plaintext-warning")).toBeNull();
    await choose(x.tls, "none");
    expect(screen.getByTestId("plaintext-warning").textContent).toMatch(x.plaintext);
    expect(input(x.port).placeholder).toBe("");
    await fireEvent.input(input(x.host), { target: { value: "mail.local" } });
    await fireEvent.click(button(x.test));
    await fireEvent.click(button(x.save));
    await settle();
    expect(tested).toEqual([]);
    expect(added).toEqual([]);
    expect(screen.getAllByRole("alert").map((a) => a.textContent)).toContain(x.needPort);
  });

  it("shows each step live, in order, then the success; one test at a time", async () => {
    await show(lang);
    await fireEvent.input(input(x.host), { target: { value: "imap.example.com" } });
    await fireEvent.click(button(x.test));
    await settle();
    expect(tested).toHaveLength(1);
    expect(button(x.test).disabled).toBe(true);
    // A second click while it runs starts nothing.
    await fireEvent.click(button(x.test));
    await settle();
    expect(tested).toHaveLength(1);

    for (let i = 0; i < steps.length; i++) {
      push(steps[i]);
      await settle();
      expect(shownSteps()).toEqual(x.steps.slice(0, i + 1));
      expect(screen.queryByTestId("test-outcome")).toBeNull();
    }
    running?.resolve(summary({ outcome: "up", latency_ms: 80, cert_days_left: 41, steps }));
    await settle();
    expect(screen.getByTestId("test-outcome").textContent?.replace(/\s+/g, " ").trim()).toBe(`✓ ${x.works}`);
    expect(shownSteps()).toEqual(x.steps);
    expect(button(x.test).disabled).toBe(false);
    expect(tested[0]).toEqual({
      mail: { provider_id: "df", kind: "imap", host: "imap.example.com", port: null, tls: "implicit", username: null, ca_file: null },
      password: null,
    });
  });

  it("completes the steps from the result and adds none streamed after it", async () => {
    await show(lang);
    await fireEvent.input(input(x.host), { target: { value: "imap.example.com" } });
    await fireEvent.click(button(x.test));
    await settle();
    push(steps[0]);
    await settle();
    expect(shownSteps()).toEqual(x.steps.slice(0, 1));
    running?.resolve(summary({ outcome: "up", latency_ms: 80, cert_days_left: 41, steps: steps.slice(0, 3) }));
    await settle();
    expect(shownSteps()).toEqual(x.steps.slice(0, 3));
    push(steps[1]);
    await settle();
    expect(shownSteps()).toEqual(x.steps.slice(0, 3));
  });

  it("says a refused login in plain words and shows the transcript as inert text", async () => {
    const alert = vi.fn();
    window.alert = alert;
    await show(lang);
    await fireEvent.input(input(x.host), { target: { value: "imap.example.com" } });
    await fireEvent.input(input(x.username), { target: { value: "me@example.com" } });
    await fireEvent.input(input(x.password), { target: { value: "wrong" } });
    await fireEvent.click(button(x.test));
    await settle();
    expect(tested[0].password).toBe("wrong");
    push({ name: "login", millis: 250, ok: false });
    await settle();
    expect(shownSteps()[0]).toMatch(/^✕ .* · 250 ms · /);
    expect(document.querySelector(".steps li.failed")).not.toBeNull();
    running?.resolve(
      summary({
        outcome: "down",
        reason: "auth",
        message: "login refused: <b>AUTHENTICATIONFAILED</b>",
        transcript: ["S: * OK Dovecot ready", "C: a1 LOGIN me@example.com <redacted>", "S: a1 NO <img src=x onerror=alert(1)>"],
      }),
    );
    await settle();
    expect(screen.getByTestId("test-outcome").textContent?.replace(/\s+/g, " ").trim()).toBe(`✕ ${x.authFailed}`);
    expect(screen.getByTestId("test-message").textContent).toBe("login refused: <b>AUTHENTICATIONFAILED</b>");
    expect(screen.getByText(x.why)).toBeTruthy();
    const transcript = screen.getByTestId("test-transcript");
    expect(transcript.closest("details")).not.toBeNull();
    expect(transcript.textContent).toContain("S: a1 NO <img src=x onerror=alert(1)>");
    expect(transcript.textContent).toContain("<redacted>");
    expect(document.querySelector("img, b")).toBeNull();
    await settle();
    expect(alert).not.toHaveBeenCalled();
  });

  it("shows the host's refusals as text: a test that cannot run, a save the config rejects", async () => {
    await show(lang);
    testError = "no keychain service is available";
    await fireEvent.input(input(x.host), { target: { value: "imap.example.com" } });
    await fireEvent.click(button(x.test));
    await settle();
    const failure = screen.getByRole("alert");
    expect(failure.querySelector("p")?.textContent).toBe(x.hostError);
    expect(failure.querySelector("details")?.textContent).toContain("no keychain service is available");
    expect(button(x.test).disabled).toBe(false);

    addError = "config.toml line 7: imap without TLS needs TLS for a login\n  hint: use tls = \"starttls\"";
    await fireEvent.click(button(x.save));
    await settle();
    const refusal = screen.getAllByRole("alert").find((a) => a.textContent?.includes(x.notSaved));
    expect(refusal?.querySelector("p")?.textContent).toBe(x.notSaved);
    // What the config said (a path, a line, the parser's English) only under the details.
    expect(refusal?.querySelector("details")?.textContent).toContain(addError);
    expect(screen.getAllByTestId("mail-account")).toHaveLength(2);
  });

  it("offers no preset's servers to a provider the config fills from no preset", async () => {
    // Named like a preset, but written by hand: its servers are not DomainFactory's.
    await show(lang, null);
    expect(screen.queryByRole("button", { name: x.use })).toBeNull();
    expect(document.querySelector(".prefill")).toBeNull();
  });

  it("prefills from the preset's documented servers", async () => {
    await show(lang);
    await fireEvent.click(button(x.use));
    expect(input(x.host).value).toBe("pop.df.eu");
    expect(input(x.port).value).toBe("1995");
    expect(select(x.kind).value).toBe("pop3");
    expect(select(x.tls).value).toBe("starttls");
    await fireEvent.click(screen.getAllByRole("button", { name: /sslin\.df\.eu:993/ }).find((b) => b.classList.contains("prefill"))!);
    expect(input(x.host).value).toBe("sslin.df.eu");
    // The standard port stays out of the config.
    expect(input(x.port).value).toBe("");
    await fireEvent.click(button(x.save));
    await settle();
    expect(added[0].mail).toEqual({
      provider_id: "df",
      kind: "imap",
      host: "sslin.df.eu",
      port: null,
      tls: "implicit",
      username: null,
      ca_file: null,
    });
  });

  it("asks before saving an account whose test failed: keep editing, or save anyway", async () => {
    await show(lang);
    await fireEvent.input(input(x.host), { target: { value: "imap.example.com" } });
    await fireEvent.click(button(x.test));
    await settle();
    running?.resolve(summary({ outcome: "down", reason: "refused", message: "connection refused" }));
    await settle();
    await fireEvent.click(button(x.save));
    await settle();
    expect(added).toEqual([]);
    expect(screen.getByTestId("confirm-failed").textContent).toMatch(x.failedSave);
    await fireEvent.click(button(x.keepEditing));
    await settle();
    expect(screen.queryByTestId("confirm-failed")).toBeNull();
    await fireEvent.click(button(x.save));
    await settle();
    await fireEvent.click(button(x.saveAnyway));
    await settle();
    expect(added.map((a) => a.mail.host)).toEqual(["imap.example.com"]);
  });

  it("shows each account's last result in words, and picks the CA file with the system's chooser", async () => {
    await show(lang, "domainfactory", [
      summary({ id: "df/imap/sslin.df.eu:993", outcome: "down", reason: "refused", at: "2026-11-24T10:06:00+01:00" }),
    ]);
    const status = screen.getAllByTestId("account-status").map((s) => s.textContent ?? "");
    expect(status[0]).toContain(x.statusDown);
    expect(status[0]).toMatch(/2026/);
    expect(status[1]).toBe(x.notYet);
    await fireEvent.click(button(x.pick));
    await settle();
    expect(input(x.caFile).value).toBe("/home/me/my-ca.pem");
  });
});

describe.each(["en", "de"] as const)("check delivery (%s)", (lang) => {
  const words = {
    en: { check: "Check delivery", explain: "every 15 minutes", checking: "Delivery is checked: a test mail to info@example.com every 15 minutes", stop: "Stop checking delivery", needs: "needs an outgoing (SMTP) and an incoming (IMAP) account with a username" },
    de: { check: "Zustellung prüfen", explain: "alle 15 Minuten", checking: "Die Zustellung wird geprüft: alle 15 Minuten eine Testmail an info@example.com", stop: "Zustellprüfung beenden", needs: "braucht es ein Postausgangs- (SMTP) und ein Posteingangskonto (IMAP) mit Benutzernamen" },
  }[lang];

  it("is offered with an SMTP and an IMAP login, says what it does, adds and stops the round trip", async () => {
    host();
    accounts[1] = { ...accounts[1], username: "info@example.com" };
    await initI18n(lang);
    render(MailAccounts, { providerId: "df", providerName: "DomainFactory", preset: null, checks: [], lang });
    await settle();
    const explain = screen.getByTestId("delivery-explain").textContent ?? "";
    expect(explain).toContain(words.explain);
    expect(explain).toContain("mail.example.com");
    expect(explain).toContain("sslin.df.eu");
    expect(explain).toContain("info@example.com");
    await fireEvent.click(button(words.check));
    await settle();
    expect(tripCalls).toEqual([{ cmd: "add_roundtrip", providerId: "df", smtp: "mail.example.com", imap: "sslin.df.eu" }]);
    expect(screen.getByTestId("delivery-checking").textContent).toContain(words.checking);
    await fireEvent.click(button(words.stop));
    await settle();
    expect(tripCalls[1]).toEqual({
      cmd: "remove_roundtrip",
      providerId: "df",
      checkId: "df/roundtrip/mail.example.com/info@example.com",
    });
    expect(screen.getByTestId("check-delivery")).toBeTruthy();
  });

  it("is not offered without a login for sending, and says what it needs", async () => {
    host();
    await initI18n(lang);
    render(MailAccounts, { providerId: "df", providerName: "DomainFactory", preset: null, checks: [], lang });
    await settle();
    expect(screen.queryByTestId("check-delivery")).toBeNull();
    expect(screen.getByTestId("delivery-needs").textContent).toContain(words.needs);
  });
});
