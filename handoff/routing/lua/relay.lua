-- Record a message said after the handoff for the agent, once per event-stream entry
-- (stream ids only grow, so an entry at or before the last one relayed is a redelivery).
-- ARGV: prefix, conversation id, stream entry id, message JSON, the sender it was said in
-- (the conversation's own or one joined from another channel), its channel, and who said
-- it: 'customer' (the default) or 'bot' (what the bot or the service told the customer).
-- Returns {outcome, agent id, the conversation's status}.
local prefix, cid, entry, message, sender, channel = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local from_bot = ARGV[7] == 'bot'
local conv = prefix .. 'conv:' .. cid
local c = redis.call('HMGET', conv, 'status', 'agent', 'relayed_id')
if c[1] ~= 'queued' and c[1] ~= 'assigned' and c[1] ~= 'active' then return {'ignored', '', ''} end
local function parts(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
if c[3] then
  local ms, seq = parts(entry)
  local last_ms, last_seq = parts(c[3])
  if ms < last_ms or (ms == last_ms and seq <= last_seq) then return {'duplicate', '', c[1]} end
end
redis.call('RPUSH', prefix .. 'messages:' .. cid, message)
redis.call('HSET', conv, 'relayed_id', entry)
local agent = c[2] or ''
-- The bot speaking is neither where the customer last wrote nor news the agent must read.
if from_bot then return {'relayed', agent, c[1]} end
-- Agents' replies go where the customer last wrote.
redis.call('HSET', conv, 'reply_to', sender, 'reply_channel', channel)
if agent ~= '' then redis.call('HINCRBY', prefix .. 'agent:' .. agent .. ':unread', cid, 1) end
return {'relayed', agent, c[1]}
