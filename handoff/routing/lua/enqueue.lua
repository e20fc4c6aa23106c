-- Queue a conversation once; a customer with an open handoff elsewhere joins it instead.
-- ARGV: prefix, conversation id, handoff id, now (ms), queue score, customer number ('' when
-- not verified), channel, then field/value pairs of the conversation record.
-- Returns {status, handoff id, created (1/0), the conversation holding the handoff}.
local prefix, cid, customer, channel = ARGV[1], ARGV[2], ARGV[6], ARGV[7]
local conv = prefix .. 'conv:' .. cid
local status = redis.call('HGET', conv, 'status')
if is_open(status) then
  return {status, redis.call('HGET', conv, 'handoff_id'), 0, cid}
end
local home, home_status = open_handoff_of(prefix, customer)
if not home then
  local joined = redis.call('HGET', prefix .. 'alias:' .. cid, 'conversation')
  if joined and is_open(redis.call('HGET', prefix .. 'conv:' .. joined, 'status')) then
    home, home_status = joined, redis.call('HGET', prefix .. 'conv:' .. joined, 'status')
  end
end
if home then
  join_sender(prefix, home, cid, tostring(tonumber(ARGV[4]) / 1000), channel, '0')
  return {home_status, redis.call('HGET', prefix .. 'conv:' .. home, 'handoff_id'), 0, home}
end
-- A new handoff replaces the record of a resolved one (the SQL audit keeps the history).
redis.call('DEL', conv, prefix .. 'messages:' .. cid)
redis.call('HSET', conv, 'handoff_id', ARGV[3], 'status', 'queued', 'queued_at', ARGV[4],
           'enqueued_at', ARGV[4], 'score', ARGV[5], 'agent', '', 'customer', customer,
           'reply_to', cid, 'reply_channel', channel)
for i = 8, #ARGV, 2 do
  redis.call('HSET', conv, ARGV[i], ARGV[i + 1])
end
if customer ~= '' then redis.call('SET', prefix .. 'customer:' .. customer, cid) end
redis.call('ZADD', prefix .. 'queue', ARGV[5], cid)
return {'queued', ARGV[3], 1, cid}
