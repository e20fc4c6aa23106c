-- The customer no longer waits (they chose a callback): a waiting conversation leaves the
-- queue. ARGV: prefix, conversation id, now (ms), ttl (s). Returns {outcome, conversations that had joined it...}.
local prefix, cid, now, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local conv = prefix .. 'conv:' .. cid
local status = redis.call('HGET', conv, 'status')
if not status then return {'unknown'} end
if status == 'assigned' or status == 'active' then return {'taken'} end
if status ~= 'queued' then return {'not_waiting'} end
redis.call('ZREM', prefix .. 'queue', cid)
redis.call('HSET', conv, 'status', 'cancelled', 'cancelled_at', now)
redis.call('EXPIRE', conv, ttl)
local answer = {'cancelled'}
for _, sender in ipairs(release_joined(prefix, cid)) do table.insert(answer, sender) end
return answer
