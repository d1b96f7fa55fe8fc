/**
 * `--format email` as a reviewer uses it: kreview writes the reply to a
 * file, and `git send-email` sends it (to a fake sendmail that records
 * what it is given). The recorded mail must still be a reply in the
 * patch's thread, with the quote and the comments kreview wrote.
 *
 * git send-email is Debian's `git-email` package; where it is missing the
 * send-email tests say so on stdout and return (CI installs it).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTmp, removeTmp, REPO, run } from "./run.js";

const MEMFILE = path.join(REPO, "fixtures/bitwise-or-in-condition/bad-memfile-v5-patch.eml");
const SEEDS = [
  "fixtures/seeds/threads/memfile-notifier/v5-02-patch.eml",
  "fixtures/seeds/threads/dax-holder/v7-02-patch.eml",
  "fixtures/seeds/threads/mmu-interval-notifier/v5-01-patch.eml",
].map((f) => path.join(REPO, f));
const SEPARATOR = "From kreview Mon Sep 17 00:00:00 2001";
const REVIEWER = "Rev Iewer <reviewer@example.org>";

/** Records each message it is handed (`sendmail -i recipients... < message`) as N.eml, and its arguments as N.args. */
const FAKE_SENDMAIL = `#!/bin/sh
dir="$(dirname "$0")/sent"
mkdir -p "$dir"
n=$(ls "$dir" | grep -c '\\.eml$')
printf '%s\\n' "$@" > "$dir/$n.args"
cat > "$dir/$n.eml"
`;

let tmp: string;
beforeAll(() => {
  tmp = makeTmp();
});
afterAll(() => removeTmp(tmp));

/** Why git send-email cannot run here, or null when it can. */
function sendEmailMissing(): string | null {
  const r = spawnSync("git", ["--exec-path"], { encoding: "utf8" });
  if (r.error || r.status !== 0) return "git is not installed";
  if (!existsSync(path.join(r.stdout.trim(), "git-send-email"))) return "git send-email is not installed (Debian: apt-get install git-email)";
  return null;
}

/** A fresh directory with the fake sendmail in it. */
function sendDir(name: string): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "fake-sendmail.sh"), FAKE_SENDMAIL);
  chmodSync(path.join(dir, "fake-sendmail.sh"), 0o755);
  return dir;
}

/**
 * Runs git send-email in `dir` with no user or system configuration: the
 * sender comes from the identity in the environment, as it would from
 * user.name/user.email.
 */
function sendEmail(dir: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync("git", ["send-email", `--smtp-server=${path.join(dir, "fake-sendmail.sh")}`, "--to", "list@example.org", "--confirm=never", "--quiet", "--no-validate", ...args], {
    cwd: dir,
    encoding: "utf8",
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dir,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_AUTHOR_NAME: "Rev Iewer",
      GIT_AUTHOR_EMAIL: "reviewer@example.org",
      GIT_COMMITTER_NAME: "Rev Iewer",
      GIT_COMMITTER_EMAIL: "reviewer@example.org",
    },
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The messages the fake sendmail recorded, in order, with their recipients. */
function sent(dir: string): Array<{ headers: Map<string, string>; body: string; recipients: string[] }> {
  const out = path.join(dir, "sent");
  if (!existsSync(out)) return [];
  const n = readdirSync(out).filter((f) => f.endsWith(".eml")).length;
  return Array.from({ length: n }, (_, i) => {
    const raw = readFileSync(path.join(out, `${i}.eml`), "utf8");
    const cut = raw.indexOf("\n\n");
    const headers = new Map<string, string>();
    // Unfold, then key by lower-case name.
    for (const h of raw.slice(0, cut).replace(/\n[ \t]+/g, " ").split("\n")) {
      const colon = h.indexOf(":");
      headers.set(h.slice(0, colon).toLowerCase(), h.slice(colon + 1).trim());
    }
    const recipients = readFileSync(path.join(out, `${i}.args`), "utf8").split("\n").filter((a) => a !== "" && a !== "-i");
    return { headers, body: raw.slice(cut + 2), recipients };
  });
}

describe("--format email", () => {
  it("writes the reply to the file -o names, and the same text to stdout without it", async () => {
    const dir = sendDir("write");
    const r = await run(["--format", "email", MEMFILE, "-o", "reply.mbox"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1); // error-level findings, as with every format
    expect(r.stdout).toBe("");
    const mbox = readFileSync(path.join(dir, "reply.mbox"), "utf8");
    expect(mbox.split("\n")[0]).toBe(SEPARATOR);
    expect(mbox).toContain("\nSubject: Re: [PATCH v5 02/13] mm: Introduce memfile_notifier\n");
    expect(mbox).toContain("\nOn Thu, Mar 10, 2022 at 10:09:00PM +0800, Chao Peng wrote:\n");
    const out = await run(["--format", "email", MEMFILE], { cwd: dir });
    expect(out.stdout).toBe(mbox);
  });

  it("writes nothing for a patch with no finding", async () => {
    const r = await run(["--format", "email", "fixtures/patch-format/good-complete-patch.eml"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("");
  });

  it("goes through git send-email as a reply in the patch's thread, quote and comments intact", async () => {
    const missing = sendEmailMissing();
    if (missing) {
      console.log(`skipped: the git send-email test (${missing})`);
      return;
    }
    const dir = sendDir("one");
    expect((await run(["--format", "email", MEMFILE, "-o", "reply.mbox"], { cwd: dir })).stderr).toBe("");
    const r = sendEmail(dir, ["--suppress-cc=all", "reply.mbox"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);

    const [mail, ...more] = sent(dir);
    expect(more).toEqual([]);
    expect(mail).toBeDefined();
    const h = mail!.headers;
    // The sender is send-email's (kreview writes no From:), and nothing was copied into the body for it.
    expect(h.get("from")).toBe(REVIEWER);
    expect(mail!.body.startsWith("On Thu, Mar 10, 2022 at 10:09:00PM +0800, Chao Peng wrote:\n")).toBe(true);
    expect(h.get("subject")).toBe("Re: [PATCH v5 02/13] mm: Introduce memfile_notifier");
    expect(h.get("in-reply-to")).toBe("<20220310140911.50924-3-chao.p.peng@linux.intel.com>");
    expect(h.get("references")).toBe("<20220310140911.50924-1-chao.p.peng@linux.intel.com> <20220310140911.50924-3-chao.p.peng@linux.intel.com>");
    expect(h.get("content-type")).toBe("text/plain; charset=UTF-8");
    expect(h.get("content-transfer-encoding")).toBe("8bit");
    expect(h.get("to")).toBe("list@example.org, Chao Peng <chao.p.peng@linux.intel.com>");
    expect(mail!.recipients).toEqual(["list@example.org", "chao.p.peng@linux.intel.com"]);

    const body = mail!.body.split("\n");
    const at = body.indexOf("> +\tif (!inode || !notifier | !pfn_ops)");
    expect(at).toBeGreaterThan(0);
    expect(body.slice(at - 7, at + 7)).toEqual([
      "> +int memfile_register_notifier(struct inode *inode,",
      "> +\t\t\t      struct memfile_notifier *notifier,",
      "> +\t\t\t      struct memfile_pfn_ops **pfn_ops)",
      "> +{",
      "> +\tstruct memfile_notifier_list *list;",
      "> +\tint ret;",
      "> +",
      "> +\tif (!inode || !notifier | !pfn_ops)",
      "",
      "Bitwise '|' between truth values in a condition: did you mean '||'?",
      "",
      "Use '||':",
      "",
      "\tif (!inode || !notifier || !pfn_ops)",
    ]);
    expect(body).toContain("> +\tlist_del(&bs->list);");
    expect(body).toContain("[...]");
  });

  it("replies to all: without --suppress-cc the patch's To and Cc get it too", async () => {
    const missing = sendEmailMissing();
    if (missing) {
      console.log(`skipped: the git send-email reply-all test (${missing})`);
      return;
    }
    const dir = sendDir("all");
    await run(["--format", "email", MEMFILE, "-o", "reply.mbox"], { cwd: dir });
    const r = sendEmail(dir, ["reply.mbox"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const [mail] = sent(dir);
    const cc = mail!.headers.get("cc") ?? "";
    for (const who of ["kvm@vger.kernel.org", "linux-mm@kvack.org", "Sean Christopherson <seanjc@google.com>", '"H . Peter Anvin" <hpa@zytor.com>', "david@redhat.com"]) {
      expect(cc).toContain(who);
    }
    expect(mail!.recipients).toContain("seanjc@google.com");
    expect(mail!.recipients).toContain("hpa@zytor.com");
    // kreview writes no From:, so send-email has no other author to put at the top of the body.
    expect(mail!.body).not.toMatch(/^From: /m);
  });

  it("several replies: one mbox, split with git mailsplit, each sent in its own thread", async () => {
    const missing = sendEmailMissing();
    if (missing) {
      console.log(`skipped: the git send-email several-replies test (${missing})`);
      return;
    }
    const dir = sendDir("several");
    const r = await run(["--format", "email", ...SEEDS, "-o", "replies.mbox"], { cwd: dir });
    expect(r.stderr).toBe("");
    const mbox = readFileSync(path.join(dir, "replies.mbox"), "utf8");
    expect(mbox.split("\n").filter((l) => l === SEPARATOR)).toHaveLength(3);

    // git send-email sends a file as one message: the mbox is split first.
    mkdirSync(path.join(dir, "replies"));
    const split = spawnSync("git", ["mailsplit", "-oreplies", "replies.mbox"], { cwd: dir, encoding: "utf8" });
    expect(split.status).toBe(0);
    expect(split.stdout.trim()).toBe("3");
    expect(sendEmail(dir, ["--suppress-cc=all", "replies"]).status).toBe(0);

    const mails = sent(dir);
    expect(mails.map((m) => [m.headers.get("subject"), m.headers.get("in-reply-to")])).toEqual([
      ["Re: [PATCH v5 02/13] mm: Introduce memfile_notifier", "<20220310140911.50924-3-chao.p.peng@linux.intel.com>"],
      ["Re: [PATCH v7 2/8] dax: Introduce holder for dax_device", "<20210924130959.2695749-3-ruansy.fnst@fujitsu.com>"],
      ["Re: [PATCH v5 1/2] mm/mmu_notifier: make interval notifier updates safe", "<20191216195733.28353-2-rcampbell@nvidia.com>"],
    ]);
    expect(mails[1]!.body).toContain("> +\trc = dax_dev->holder_ops->notify_failure(dax_dev, offset, size, flags);\n\nCall through");
    // No reply carries another one's text.
    for (const m of mails) expect(m.body).not.toContain(SEPARATOR);
  });
});
