-- Shared by finish.lua and cancel.lua (prepended by scripts.py): when a handoff ends, the
-- conversations that joined it from other channels go back to the bot.
local function release_joined(prefix, cid)
  local joined = redis.call('SMEMBERS', prefix .. 'joined:' .. cid)
  for _, sender in ipairs(joined) do
    if redis.call('HGET', prefix .. 'alias:' .. sender, 'conversation') == cid then
      redis.call('DEL', prefix .. 'alias:' .. sender)
    end
  end
  redis.call('DEL', prefix .. 'joined:' .. cid)
  local customer = redis.call('HGET', prefix .. 'conv:' .. cid, 'customer')
  if customer and customer ~= '' and redis.call('GET', prefix .. 'customer:' .. customer) == cid then
    redis.call('DEL', prefix .. 'customer:' .. customer)
  end
  return joined
end
