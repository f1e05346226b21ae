// The DTLS guard (dtls_guard.ts) between two werift peers on loopback. The offerer stands in
// for a browser whose handshake flight 4 was retransmitted while the answerer (werift's DTLS
// client) was busy: a copy of the flight arrives in the socket together with the Finished —
// what a loaded server saw from Chromium in the browser share (issue 18). Unguarded, werift
// re-keys on the copy and not one SRTP packet decrypts; guarded, the media flows.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  MediaStreamTrack,
  type RTCDtlsTransport,
  RTCPeerConnection,
  RtpHeader,
  RtpPacket,
  useVP8,
} from "werift";
import { guardDtlsRetransmissions, handshakeKeys } from "./dtls_guard.ts";
import { BrowserShare } from "./browser_share.ts";
import type { RemoteSession } from "./hub.ts";

/** A DTLS record: type, epoch, sequence number and body. */
function record(type: number, epoch: number, body: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header[0] = type;
  header.writeUInt16BE(0xfefd, 1);
  header.writeUInt16BE(epoch, 3);
  header.writeUInt16BE(body.length, 11);
  return Buffer.concat([header, body]);
}

/** A handshake message's fragment header (message type, sequence, offset, length) and body. */
function handshake(type: number, seq: number, offset = 0, length = 4): Buffer {
  const body = Buffer.alloc(12 + length);
  body[0] = type;
  body.writeUIntBE(length, 1, 3);
  body.writeUInt16BE(seq, 4);
  body.writeUIntBE(offset, 6, 3);
  body.writeUIntBE(length, 9, 3);
  return body;
}

Deno.test("handshakeKeys() names each handshake record of a datagram, and nothing else", () => {
  const flight = Buffer.concat([
    record(22, 0, handshake(2, 0)),
    record(22, 0, handshake(11, 1, 0, 40)),
    record(20, 0, Buffer.from([1])),
    record(22, 1, Buffer.alloc(40)),
  ]);
  assert.deepEqual(handshakeKeys(flight), ["e0:0:0:4", "e0:1:0:40", "e1"]);
  assert.equal(handshakeKeys(record(23, 1, Buffer.alloc(30))), null, "application data");
  assert.equal(handshakeKeys(record(21, 1, Buffer.alloc(2))), null, "an alert");
  assert.equal(handshakeKeys(Buffer.from([0x80, 0x60, 0, 1])), null, "RTP");
  assert.equal(handshakeKeys(flight.subarray(0, flight.length - 3)), null, "cut short");
  assert.equal(handshakeKeys(record(20, 0, Buffer.from([1]))), null, "no handshake in it");
});

/**
 * The offerer replays its last handshake flight as one datagram, as a retransmission queued
 * in the answerer's socket with the Finished would be: as DTLS server its flight 4 just
 * before its ChangeCipherSpec and Finished (sent as one datagram), as DTLS client its
 * Certificate, ClientKeyExchange and CertificateVerify just after its Finished.
 */
function replayWithFinished(transport: RTCDtlsTransport) {
  const connection = transport.iceTransport.connection;
  const send = connection.send;
  const flight: Buffer[] = [];
  let changeCipherSpec: Buffer | null = null;
  let replayed = false;
  connection.send = (data: Buffer) => {
    const type = data[0];
    if (replayed || type < 20 || type > 63) return send(data);
    const epoch = data.readUInt16BE(3);
    if (type === 22 && epoch === 0 && data[13] !== 1) flight.push(Buffer.from(data));
    if (type === 20) {
      changeCipherSpec = Buffer.from(data);
      return Promise.resolve();
    }
    if (type === 22 && epoch === 1 && changeCipherSpec) {
      replayed = true;
      if (transport.role === "server") {
        send(Buffer.concat(flight));
        return send(Buffer.concat([changeCipherSpec, data]));
      }
      send(Buffer.concat([changeCipherSpec, data]));
      return send(Buffer.concat(flight));
    }
    return send(data);
  };
}

/**
 * The answerer's first HelloVerifyRequest lost on the way (a full socket, a pair not yet
 * writable at the browser's end): the client sends its ClientHello again, which werift must see
 * again — it keeps no flight for a HelloVerifyRequest, so nothing else would ever answer it.
 */
function loseFirstHelloVerifyRequest(transport: RTCDtlsTransport) {
  const connection = transport.iceTransport.connection;
  const send = connection.send;
  let lost = false;
  connection.send = (data: Buffer) => {
    const helloVerifyRequest = data[0] === 22 && data.readUInt16BE(3) === 0 && data[13] === 3;
    if (!helloVerifyRequest || lost) return send(data);
    lost = true;
    return Promise.resolve();
  };
}

async function mediaAfterReplay(
  guarded: boolean,
  answerer: "client" | "server",
  trouble: (answering: RTCDtlsTransport, offering: RTCDtlsTransport) => void = (_, offering) =>
    replayWithFinished(offering),
): Promise<number> {
  const offerer = new RTCPeerConnection({
    iceAdditionalHostAddresses: ["127.0.0.1"],
    codecs: { video: [useVP8()] },
  });
  const answering = new RTCPeerConnection({
    iceAdditionalHostAddresses: ["127.0.0.1"],
    codecs: { video: [useVP8()] },
  });
  let received = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  try {
    const track = new MediaStreamTrack({ kind: "video" });
    offerer.addTransceiver(track, { direction: "sendonly" });
    answering.onTrack.subscribe((t) => t.onReceiveRtp.subscribe(() => received++));
    await offerer.setLocalDescription(await offerer.createOffer());
    await waitGathered(offerer);
    await answering.setRemoteDescription(offerer.localDescription!);
    const answerTransport = answering.getTransceivers()[0].dtlsTransport;
    if (answerer === "server") answerTransport.role = "server";
    if (guarded) guardDtlsRetransmissions(answerTransport);
    await answering.setLocalDescription(await answering.createAnswer());
    await waitGathered(answering);
    const offerTransport = offerer.getTransceivers()[0].dtlsTransport;
    // The stand-in browser keeps its own handshake right (as Chromium does) on a loaded machine.
    guardDtlsRetransmissions(offerTransport);
    trouble(answerTransport, offerTransport);
    await offerer.setRemoteDescription(answering.localDescription!);
    assert.equal(offerTransport.role, answerer === "server" ? "client" : "server");
    let sequenceNumber = 1000;
    timer = setInterval(() => {
      const header = new RtpHeader({ payloadType: 96, sequenceNumber: sequenceNumber++ });
      header.marker = true;
      track.writeRtp(new RtpPacket(header, Buffer.from([0x10, 0x00, 0x9d, 0x01, 0x2a])));
    }, 20);
    for (let i = 0; i < 100 && received < 10; i++) await new Promise((r) => setTimeout(r, 50));
    return received;
  } finally {
    clearInterval(timer);
    await offerer.close();
    await answering.close();
  }
}

function waitGathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    pc.iceGatheringStateChange.subscribe((state) => state === "complete" && resolve());
  });
}

for (const answerer of ["client", "server"] as const) {
  Deno.test({
    name:
      `guarded werift DTLS ${answerer}: a flight retransmitted with the Finished loses no media`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const received = await mediaAfterReplay(!Deno.env.get("DTLS_UNGUARDED"), answerer);
      assert.ok(received >= 10, `RTP packets through SRTP: ${received}`);
    },
  });
}

Deno.test({
  name: "guarded werift DTLS server: a HelloVerifyRequest lost on the way is sent again",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const received = await mediaAfterReplay(
      !Deno.env.get("DTLS_UNGUARDED"),
      "server",
      loseFirstHelloVerifyRequest,
    );
    assert.ok(received >= 10, `RTP packets through SRTP: ${received}`);
  },
});

Deno.test({
  name: "BrowserShare answers as the DTLS server (a=setup:passive)",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const browser = new RTCPeerConnection({ codecs: { video: [useVP8()] } });
    const share = new BrowserShare({} as RemoteSession, ["127.0.0.1"]);
    try {
      browser.addTransceiver(new MediaStreamTrack({ kind: "video" }), { direction: "sendonly" });
      await browser.setLocalDescription(await browser.createOffer());
      await waitGathered(browser);
      const answer = await share.answer(browser.localDescription!.sdp);
      assert.match(answer, /^a=setup:passive$/m);
      assert.doesNotMatch(answer, /^a=setup:active$/m);
      assert.equal(share.pc.getTransceivers()[0].dtlsTransport.role, "server");
    } finally {
      share.close();
      await browser.close();
    }
  },
});
