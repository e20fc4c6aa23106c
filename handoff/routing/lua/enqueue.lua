-- Queue a conversation once. ARGV: prefix, conversation id, handoff id, now (ms),
-- queue score, then field/value pairs of the conversation record.
-- Returns {status, handoff id, created (1/0)}.
local prefix, cid = ARGV[1], ARGV[2]
local conv = prefix .. 'conv:' .. cid
local status = redis.call('HGET', conv, 'status')
if status == 'queued' or status == 'assigned' or status == 'active' then
  return {status, redis.call('HGET', conv, 'handoff_id'), 0}
end
-- A new handoff replaces the record of a resolved one (the SQL audit keeps the history).
redis.call('DEL', conv, prefix .. 'messages:' .. cid)
redis.call('HSET', conv, 'handoff_id', ARGV[3], 'status', 'queued', 'queued_at', ARGV[4],
           'enqueued_at', ARGV[4], 'score', ARGV[5], 'agent', '')
for i = 6, #ARGV, 2 do
  redis.call('HSET', conv, ARGV[i], ARGV[i + 1])
end
redis.call('ZADD', prefix .. 'queue', ARGV[5], cid)
return {'queued', ARGV[3], 1}
