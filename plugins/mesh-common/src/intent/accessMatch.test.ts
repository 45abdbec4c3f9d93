import { admissionOf } from './accessMatch';
import { Access } from './schema';

const TD = 'cluster.local';
const productpage = 'spiffe://cluster.local/ns/bookinfo/sa/productpage';

describe('admissionOf', () => {
  const access = (...from: Access['rules'][number]['from']): Access => ({
    rules: [{ from }],
  });

  it('lets in a service account, a namespace, and principals matched exactly, by prefix, by suffix or by *', () => {
    for (const a of [
      access({ serviceAccount: 'bookinfo/productpage' }),
      access({ namespace: 'bookinfo' }),
      access({ principal: 'cluster.local/ns/bookinfo/sa/productpage' }),
      access({ principal: 'cluster.local/ns/bookinfo/*' }),
      access({ principal: '*/sa/productpage' }),
      access({ principal: '*' }),
    ])
      expect(admissionOf(a, productpage, TD)).toBe('admitted');
  });

  it('denies another account, another namespace, another trust domain, and any caller without a verified identity', () => {
    expect(
      admissionOf(
        access({ serviceAccount: 'bookinfo/reviews' }),
        productpage,
        TD,
      ),
    ).toBe('denied');
    expect(admissionOf(access({ namespace: 'shop' }), productpage, TD)).toBe(
      'denied',
    );
    expect(
      admissionOf(
        access({ serviceAccount: 'bookinfo/productpage' }),
        productpage,
        'corp.example',
      ),
    ).toBe('denied');
    expect(admissionOf(access({ principal: '*' }), undefined, TD)).toBe(
      'denied',
    );
  });

  it('calls a caller admitted only for some methods or paths limited, unless another rule lets it in whole', () => {
    const limited: Access = {
      rules: [{ from: [{ namespace: 'bookinfo' }], methods: ['GET'] }],
    };
    expect(admissionOf(limited, productpage, TD)).toBe('limited');
    expect(
      admissionOf(
        {
          rules: [
            ...limited.rules,
            { from: [{ serviceAccount: 'bookinfo/productpage' }] },
          ],
        },
        productpage,
        TD,
      ),
    ).toBe('admitted');
  });
});
