// Drives the gateway with the official `openai` client, unmodified except for baseURL and apiKey.
// Env: BASE_URL (…/v1), API_KEY, MODEL, EXPECT_REPLY (optional: the downstream fake's answer).
// Prints one line per check; exits non-zero on the first failure.
const OpenAI = require('openai');

const { BASE_URL, API_KEY, MODEL, EXPECT_REPLY } = process.env;

function check(name, ok, detail) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ': ' + detail : ''}`);
  if (!ok) process.exit(1);
}

async function main() {
  const client = new OpenAI({ baseURL: BASE_URL, apiKey: API_KEY, maxRetries: 0 });

  const models = await client.models.list();
  const ids = [];
  for await (const m of models) ids.push(m.id);
  check('models.list', ids.includes(MODEL), JSON.stringify(ids));

  const c = await client.completions.create({ model: MODEL, prompt: 'Hello', max_tokens: 32 });
  check('completions.create', typeof c.choices[0].text === 'string' && c.usage.total_tokens > 0,
    JSON.stringify(c.choices[0]));
  if (EXPECT_REPLY) check('completion text', c.choices[0].text === EXPECT_REPLY, c.choices[0].text);

  const chat = await client.chat.completions.create({
    model: MODEL,
    messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }],
    max_completion_tokens: 32,
    temperature: 0,
    seed: 1,
  });
  const msg = chat.choices[0].message;
  check('chat.completions.create', msg.role === 'assistant' && typeof msg.content === 'string',
    JSON.stringify(msg));
  if (EXPECT_REPLY) check('chat text', msg.content === EXPECT_REPLY, msg.content);

  const stream = await client.chat.completions.create({
    model: MODEL,
    messages: [{ role: 'user', content: 'Hi' }],
    max_tokens: 32,
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  let finish = null;
  let chunks = 0;
  let usage = null;
  for await (const chunk of stream) {
    chunks++;
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    if (choice.delta && choice.delta.content) {
      check('no half characters', !choice.delta.content.includes('\uFFFD'), choice.delta.content);
      text += choice.delta.content;
    }
    if (choice.finish_reason) finish = choice.finish_reason;
  }
  check('chat stream', chunks > 2 && finish !== null && usage !== null,
    `${chunks} chunks, finish=${finish}, usage=${JSON.stringify(usage)}`);
  if (EXPECT_REPLY) check('streamed text', text === EXPECT_REPLY, text);

  const cstream = await client.completions.create({
    model: MODEL, prompt: 'Hello', max_tokens: 32, stream: true,
  });
  let ctext = '';
  for await (const chunk of cstream) ctext += chunk.choices[0] ? chunk.choices[0].text : '';
  check('completions stream', ctext.length > 0, ctext);

  try {
    await new OpenAI({ baseURL: BASE_URL, apiKey: 'wrong-key', maxRetries: 0 }).models.list();
    check('wrong key rejected', false);
  } catch (e) {
    check('wrong key rejected', e instanceof OpenAI.AuthenticationError && e.status === 401,
      `${e.constructor.name} ${e.status} ${e.message}`);
  }

  try {
    await client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] });
    check('unknown model rejected', false);
  } catch (e) {
    check('unknown model rejected', e instanceof OpenAI.NotFoundError && e.status === 404,
      `${e.constructor.name} ${e.status} ${e.message}`);
  }

  try {
    await client.completions.create({ model: MODEL, prompt: 'x', temperature: 9 });
    check('bad value rejected', false);
  } catch (e) {
    check('bad value rejected', e instanceof OpenAI.BadRequestError && e.param === 'temperature',
      `${e.constructor.name} ${e.status} param=${e.param} ${e.message}`);
  }
}

main().catch((e) => {
  console.log('FAIL unexpected: ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});
