// `deno run -A tools/vpx_abi_probe.ts <dir with vpx/*.h> | --git <libvpx clone> <tag> [--json]`
// (or `--print-c`: only print the C program)
//
// Measures one libvpx version's ABI table for agent/media/vpx_abi.ts: compiles (gcc, this
// machine's C layout) a throwaway program against the given libvpx headers that prints
// `sizeof`/`offsetof` of every field the agent reads or writes, the vp8e_enc_control_id
// values, the enum/#define constants and the ABI version macros, then compares the result
// with the committed table(s) of the same VPX_ENCODER_ABI_VERSION. Exits 1 on any difference
// (or when no committed table has that ABI version), so a rerun proves the tables.
//
// With `--git`, the headers are read from a libvpx clone at a release tag (`git show
// <tag>:vpx/…`) into a temporary folder that is removed afterwards; nothing of libvpx is kept.
// How the committed tables were checked (issue 18):
//   for t in v1.12.0 v1.13.0 v1.14.0 v1.15.0; do
//     deno run -A tools/vpx_abi_probe.ts --git ~/src/libvpx $t; done
import { VPX_ABIS, type VpxAbi } from "../agent/media/vpx_abi.ts";

/** Everything in VpxAbi that the headers decide, plus the version macros behind it. */
export type Probed = Omit<VpxAbi, "name" | "soname" | "major" | "minor" | "arch"> & {
  decoderAbiVersion: number;
  decoderImage: { d_w: number; d_h: number };
  macros: Record<string, number>;
};

const ENC_CFG_FIELDS = Object.keys(VPX_ABIS[0].encCfg);

/** The C program: prints one JSON object (see Probed). */
export function cProgram(): string {
  const off = (type: string, field: string) => `(long)offsetof(${type}, ${field})`;
  const lines: [string, string][] = [
    ...ENC_CFG_FIELDS.map((f): [string, string] => [
      `encCfg.${f}`,
      off("vpx_codec_enc_cfg_t", f.replace(/^g_timebase_(num|den)$/, "g_timebase.$1")),
    ]),
    ["sizes.encCfg", "(long)sizeof(vpx_codec_enc_cfg_t)"],
    ["sizes.codecCtx", "(long)sizeof(vpx_codec_ctx_t)"],
    ["sizes.image", "(long)sizeof(vpx_image_t)"],
    ["sizes.packet", "(long)sizeof(vpx_codec_cx_pkt_t)"],
    ["sizes.activeMap", "(long)sizeof(vpx_active_map_t)"],
    ["image.planes", off("vpx_image_t", "planes")],
    ["image.stride", off("vpx_image_t", "stride")],
    ["packet.kind", off("vpx_codec_cx_pkt_t", "kind")],
    ["packet.buf", off("vpx_codec_cx_pkt_t", "data.frame.buf")],
    ["packet.sz", off("vpx_codec_cx_pkt_t", "data.frame.sz")],
    ["packet.flags", off("vpx_codec_cx_pkt_t", "data.frame.flags")],
    ["activeMap.map", off("vpx_active_map_t", "active_map")],
    ["activeMap.rows", off("vpx_active_map_t", "rows")],
    ["activeMap.cols", off("vpx_active_map_t", "cols")],
    ["controls.activeMap", "(long)VP8E_SET_ACTIVEMAP"],
    ["controls.cpuUsed", "(long)VP8E_SET_CPUUSED"],
    ["controls.noiseSensitivity", "(long)VP8E_SET_NOISE_SENSITIVITY"],
    ["controls.staticThreshold", "(long)VP8E_SET_STATIC_THRESHOLD"],
    ["controls.tokenPartitions", "(long)VP8E_SET_TOKEN_PARTITIONS"],
    ["controls.maxIntraBitratePct", "(long)VP8E_SET_MAX_INTRA_BITRATE_PCT"],
    ["controls.screenContentMode", "(long)VP8E_SET_SCREEN_CONTENT_MODE"],
    ["constants.imgFmtI420", "(long)VPX_IMG_FMT_I420"],
    ["constants.cxFramePkt", "(long)VPX_CODEC_CX_FRAME_PKT"],
    ["constants.deadlineRealtime", "(long)VPX_DL_REALTIME"],
    ["constants.eflagForceKf", "(long)VPX_EFLAG_FORCE_KF"],
    ["constants.frameIsKey", "(long)VPX_FRAME_IS_KEY"],
    ["constants.errorResilientDefault", "(long)VPX_ERROR_RESILIENT_DEFAULT"],
    ["constants.rcOnePass", "(long)VPX_RC_ONE_PASS"],
    ["constants.cbr", "(long)VPX_CBR"],
    ["constants.kfDisabled", "(long)VPX_KF_DISABLED"],
    // What vp8_decoder_test_support.ts reads (d_w@24, d_h@28), printed with --json.
    ["decoderImage.d_w", off("vpx_image_t", "d_w")],
    ["decoderImage.d_h", off("vpx_image_t", "d_h")],
    ["encoderAbiVersion", "(long)VPX_ENCODER_ABI_VERSION"],
    ["decoderAbiVersion", "(long)VPX_DECODER_ABI_VERSION"],
  ];
  const macros = [
    "VPX_CODEC_ABI_VERSION",
    "VPX_IMAGE_ABI_VERSION",
    "VPX_EXT_RATECTRL_ABI_VERSION",
    "VPX_TPL_ABI_VERSION",
  ];
  return [
    "#include <stddef.h>",
    "#include <stdio.h>",
    '#include "vpx/vpx_encoder.h"',
    '#include "vpx/vpx_decoder.h"',
    '#include "vpx/vp8cx.h"',
    "int main(void) {",
    '  printf("{");',
    ...lines.map(([key, expr]) => `  printf("\\"${key}\\": %ld, ", ${expr});`),
    ...macros.map((m) =>
      `#ifdef ${m}\n  printf("\\"macros.${m}\\": %ld, ", (long)(${m}));\n#endif`
    ),
    '  printf("\\"end\\": 0}\\n");',
    "  return 0;",
    "}",
    "",
  ].join("\n");
}

/** Compiles and runs cProgram() against `headerDir` (which holds vpx/vpx_encoder.h …). */
export async function probe(headerDir: string): Promise<Probed> {
  const work = await Deno.makeTempDir({ prefix: "vpx_abi_probe_" });
  try {
    await Deno.writeTextFile(`${work}/probe.c`, cProgram());
    await run("gcc", ["-O1", "-Wall", "-I", headerDir, "-o", `${work}/probe`, `${work}/probe.c`]);
    const flat = JSON.parse(await run(`${work}/probe`, [])) as Record<string, number>;
    delete flat.end;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(flat)) {
      const [head, tail] = key.split(".", 2) as [string, string?];
      if (tail === undefined) out[head] = value;
      else ((out[head] ??= {}) as Record<string, number>)[key.slice(head.length + 1)] = value;
    }
    out.macros ??= {};
    return out as Probed;
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

/** The public headers (vpx/*.h) of `tag` in the libvpx clone `repo`, copied into a temp dir. */
export async function headersFromGit(repo: string, tag: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: `vpx_headers_${tag}_` });
  await Deno.mkdir(`${dir}/vpx`);
  const names = (await run("git", ["--git-dir", repo, "ls-tree", "--name-only", tag, "vpx/"]))
    .split("\n").filter((n) => n.endsWith(".h"));
  for (const name of names) {
    await Deno.writeTextFile(
      `${dir}/${name}`,
      await run("git", ["--git-dir", repo, "show", `${tag}:${name}`]),
    );
  }
  return dir;
}

/** Each difference between a measured table and a committed one, in words ([] when equal). */
export function compare(probed: Probed, abi: VpxAbi): string[] {
  const diffs: string[] = [];
  const groups = [
    "sizes",
    "encCfg",
    "image",
    "packet",
    "activeMap",
    "controls",
    "constants",
  ] as const;
  for (const group of groups) {
    const want = probed[group] as Record<string, number>,
      have = abi[group] as Record<string, number>;
    for (const key of new Set([...Object.keys(want), ...Object.keys(have)])) {
      if (want[key] !== have[key]) {
        diffs.push(`${abi.name}: ${group}.${key} is ${have[key]}, the headers say ${want[key]}`);
      }
    }
  }
  if (probed.encoderAbiVersion !== abi.encoderAbiVersion) {
    diffs.push(
      `${abi.name}: encoderAbiVersion is ${abi.encoderAbiVersion}, the headers say ${probed.encoderAbiVersion}`,
    );
  }
  return diffs;
}

async function run(cmd: string, args: string[]): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(cmd, { args }).output();
  const text = new TextDecoder();
  if (code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} failed (${code}):\n${text.decode(stderr)}`);
  }
  return text.decode(stdout);
}

if (import.meta.main && Deno.args[0] === "--print-c") {
  // The program alone, for another compiler: vp8_windows_test.ts builds it with mingw-w64 and
  // runs it under Wine to check the Windows table.
  console.log(cProgram());
} else if (import.meta.main) {
  const args = [...Deno.args];
  const json = args.includes("--json");
  const rest = args.filter((a) => a !== "--json");
  let headerDir: string, cleanup = false, label: string;
  if (rest[0] === "--git" && rest.length === 3) {
    headerDir = await headersFromGit(rest[1], rest[2]);
    cleanup = true;
    label = `libvpx ${rest[2]} headers`;
  } else if (rest.length === 1) {
    headerDir = rest[0];
    label = `headers in ${headerDir}`;
  } else {
    console.error(
      "usage: vpx_abi_probe.ts <dir with vpx/*.h> | --git <libvpx clone> <tag> [--json]",
    );
    Deno.exit(2);
  }
  try {
    const probed = await probe(headerDir);
    if (json) console.log(JSON.stringify(probed, null, 2));
    const tables = VPX_ABIS.filter((a) =>
      a.encoderAbiVersion === probed.encoderAbiVersion && a.arch.includes(Deno.build.arch) &&
      a.os === "linux" // gcc here: this machine's LP64 layout (vp8_windows_test.ts checks Win64)
    );
    const macros = Object.entries(probed.macros).map(([k, v]) => `${k} ${v}`).join(", ");
    console.log(
      `${label} (${Deno.build.arch}): VPX_ENCODER_ABI_VERSION ${probed.encoderAbiVersion}, VPX_DECODER_ABI_VERSION ${probed.decoderAbiVersion} (${macros})`,
    );
    if (!tables.length) {
      console.log(`no table in agent/media/vpx_abi.ts has this ABI version on ${Deno.build.arch}`);
      Deno.exit(1);
    }
    const diffs = tables.flatMap((abi) => compare(probed, abi));
    for (const abi of tables) {
      if (!compare(probed, abi).length) {
        console.log(`${abi.name}: every size, offset, control id and constant matches`);
      }
    }
    for (const d of diffs) console.log(d);
    if (diffs.length) Deno.exit(1);
  } finally {
    if (cleanup) await Deno.remove(headerDir, { recursive: true });
  }
}
