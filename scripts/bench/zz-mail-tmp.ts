import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
const port = Number(process.argv[2]);
const mode = process.argv[3];
const conns = Number(process.argv[4] ?? 5);
const t = nodemailer.createTransport({ host: '127.0.0.1', port, pool: true, maxConnections: conns, maxMessages: Number.POSITIVE_INFINITY, ignoreTLS: true });
const html = '<p>' + 'Hello there, this is a reset mail. '.repeat(60) + '</p>';
const text = 'Hello there, this is a reset mail. '.repeat(60);
const N = 3000;
const start = performance.now();
const cpu0 = process.cpuUsage();
const mail = (i: number) => ({ from: 'resetd <no-reply@example.com>', to: `user${i}@example.com`, subject: 'Reset your password', text, html, messageId: `<m${i}@example.com>`, date: new Date() });
await Promise.all(Array.from({ length: N }, async (_, i) => {
  if (mode === 'raw') {
    const m = mail(i);
    const raw = await new MailComposer(m).compile().build();
    await t.sendMail({ envelope: { from: 'no-reply@example.com', to: [m.to] }, raw });
  } else await t.sendMail(mail(i));
}));
const cpu = process.cpuUsage(cpu0);
console.log(mode, conns, Math.round(N / ((performance.now() - start) / 1000)), 'mails/s', Math.round((cpu.user + cpu.system) / N), 'µs cpu/mail');
t.close();
