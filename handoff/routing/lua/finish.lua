-- The agent resolves their conversation: it leaves their chats and its record expires
-- after `ttl` seconds; how long it held the agent (assignment to resolution) joins the
-- last `kept` handling times of its language and skill, which wait estimates read.
-- ARGV: prefix, conversation id, agent id, now (ms), ttl (s), kept (0: record nothing).
-- Returns {outcome, conversations that had joined it from other channels...}.
local prefix, cid, aid, now, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local kept = tonumber(ARGV[6]) or 0
local conv = prefix .. 'conv:' .. cid
local c = redis.call('HMGET', conv, 'status', 'agent', 'assigned_at', 'language', 'skill')
if c[1] == 'resolved' and c[2] == aid then return {'already_resolved'} end
if c[2] ~= aid or (c[1] ~= 'assigned' and c[1] ~= 'active') then return {'not_yours'} end
redis.call('SREM', prefix .. 'agent:' .. aid .. ':chats', cid)
if tonumber(redis.call('HINCRBY', prefix .. 'agent:' .. aid, 'active', -1)) < 0 then
  redis.call('HSET', prefix .. 'agent:' .. aid, 'active', 0)
end
redis.call('HSET', conv, 'status', 'resolved', 'resolved_at', now)
redis.call('HDEL', prefix .. 'agent:' .. aid .. ':unread', cid)
redis.call('EXPIRE', conv, ttl)
redis.call('EXPIRE', prefix .. 'messages:' .. cid, ttl)
local assigned_at = tonumber(c[3])
if kept > 0 and assigned_at and c[4] and c[5] then
  local handled = prefix .. 'handled:' .. c[4] .. ':' .. c[5]
  redis.call('LPUSH', handled, now .. ':' .. math.max(0, tonumber(now) - assigned_at))
  redis.call('LTRIM', handled, 0, kept - 1)
end
local answer = {'resolved'}
for _, sender in ipairs(release_joined(prefix, cid)) do table.insert(answer, sender) end
return answer
