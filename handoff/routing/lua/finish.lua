-- The agent resolves their conversation: it leaves their chats and its record expires
-- after `ttl` seconds. ARGV: prefix, conversation id, agent id, now (ms), ttl (s).
-- Returns {outcome, conversations that had joined it from other channels...}.
local prefix, cid, aid, now, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local conv = prefix .. 'conv:' .. cid
local c = redis.call('HMGET', conv, 'status', 'agent')
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
local answer = {'resolved'}
for _, sender in ipairs(release_joined(prefix, cid)) do table.insert(answer, sender) end
return answer
